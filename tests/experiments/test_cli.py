"""`braintank experiment`: --list, one-line errors for bad input, `all` -> report.html."""

from braintank.cli.main import main


def test_list_names_one_a_line(capsys):
    assert main(["experiment", "--list"]) == 0
    names = capsys.readouterr().out.split()
    assert "gradient-descent" in names


def test_unknown_name_is_one_line_error(tmp_path, capsys):
    assert main(["experiment", "no-such", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("braintank: error: unknown experiment 'no-such'")
    assert err.count("\n") == 1


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
