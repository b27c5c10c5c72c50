"""`braintank experiment`: --list, one-line errors for bad input, `all` -> report.html."""

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


def test_unknown_engine_is_refused(tmp_path, capsys):
    assert main(["experiment", "gradient-descent", "--engine", "jax", "--out",
                 str(tmp_path)]) == 2
    assert "--engine" in capsys.readouterr().err


def test_report_joins_summaries_with_inline_figures(tmp_path):
    from braintank.experiments import run_and_write
    from braintank.experiments.report import write_html_report

    folders = [run_and_write(name, tmp_path / name, quick=True)
               for name in ("gradient-descent", "perceptron-order")]
    page = write_html_report(folders, tmp_path / "report.html").read_text()
    assert "id='gradient-descent'" in page and "id='perceptron-order'" in page
    assert page.count("data:image/png;base64,") == 2
    assert "m = -0.7, b = 5.1" in page
