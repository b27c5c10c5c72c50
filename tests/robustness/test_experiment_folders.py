"""A second experiment into the --out folder of another is refused before any work, so the
first one's result.json and summary.md are never replaced while its plots stay behind; the
same experiment run again replaces its own results."""

from __future__ import annotations

import json

from braintank.cli.main import main

from .cli_errors import one_line_error


def _files(folder) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_another_experiment_into_the_same_folder_is_refused_unchanged(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["experiment", "gradient-descent", "--quick", "--no-progress", "--out",
                 str(out)]) == 0
    before = _files(out)
    line = one_line_error(capsys, ["experiment", "perceptron-order", "--quick",
                                   "--no-progress", "--out", str(out)])
    assert "holds the results of experiment 'gradient-descent'" in line
    assert _files(out) == before
    assert main(["experiment", "gradient-descent", "--quick", "--no-progress", "--out",
                 str(out)]) == 0  # the same one again: its own results are replaced
    assert json.loads((out / "result.json").read_text())["name"] == "gradient-descent"


def test_a_folder_with_an_unreadable_result_is_refused(tmp_path, capsys):
    (tmp_path / "result.json").write_text("{not json")
    line = one_line_error(capsys, ["experiment", "gradient-descent", "--quick", "--out",
                                   str(tmp_path)])
    assert "holds a result.json that is not an experiment's" in line
    assert (tmp_path / "result.json").read_text() == "{not json"


def test_all_refuses_before_running_when_one_subfolder_is_anothers(tmp_path, capsys):
    (tmp_path / "init").mkdir()
    (tmp_path / "init" / "result.json").write_text(json.dumps({"name": "optimizers"}))
    line = one_line_error(capsys, ["experiment", "all", "--quick", "--out", str(tmp_path)])
    assert "holds the results of experiment 'optimizers'" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["init"]
