"""`braintank experiment`: --list, one-line errors for bad input, `all` -> report.html."""

import pytest

from braintank.cli.main import main


def test_list_names_one_a_line(capsys):
    assert main(["experiment", "--list"]) == 0
    names = capsys.readouterr().out.split()
    assert "gradient-descent" in names


def test_unknown_name_is_one_line_error_and_makes_no_folder(tmp_path, capsys):
    assert main(["experiment", "no-such", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("braintank: error: unknown experiment 'no-such'")
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    assert main(["experiment", "gradient-descent", "--out", str(target)]) == 2
    assert "--out" in capsys.readouterr().err
    assert target.read_text() == "keep me"


def test_there_is_no_engine_to_choose(tmp_path, capsys):
    """Every experiment trains with the NumPy engine: no --engine, no "engine" in result.json,
    and a result.json written before (with "engine": "numpy") still joins a report."""
    import json

    from braintank.experiments import run_and_write
    from braintank.experiments.report import write_html_report

    with pytest.raises(SystemExit) as stop:  # argparse's refusal of an unknown option
        main(["experiment", "gradient-descent", "--engine", "numpy", "--out", str(tmp_path)])
    assert stop.value.code == 2 and "unrecognized arguments: --engine" in capsys.readouterr().err
    folder = run_and_write("gradient-descent", tmp_path / "gd", quick=True)
    record = json.loads((folder / "result.json").read_text())
    assert "engine" not in record
    (folder / "result.json").write_text(json.dumps({**record, "engine": "numpy"}))
    assert "id='gradient-descent'" in write_html_report([folder], tmp_path / "r.html").read_text()


def test_report_joins_summaries_with_inline_figures(tmp_path):
    from braintank.experiments import run_and_write
    from braintank.experiments.report import write_html_report

    folders = [run_and_write(name, tmp_path / name, quick=True)
               for name in ("gradient-descent", "perceptron-order")]
    page = write_html_report(folders, tmp_path / "report.html").read_text()
    assert "id='gradient-descent'" in page and "id='perceptron-order'" in page
    assert page.count("data:image/png;base64,") == 2
    assert "m = -0.7, b = 5.1" in page
