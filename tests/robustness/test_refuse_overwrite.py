"""An output path that is one of the inputs (by any name: the same path, a symlink, a hard
link) is refused before anything is written, so the database or a scan is never replaced."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.fileio import refuse_overwriting_inputs
from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.store import SheetStore


def _database(path) -> bytes:
    """A results database holding one page and one correction; returns its bytes."""
    with SheetStore(path) as store:
        cells = [CellReading(1, 1, None, 0.4, "review", "low", guess=3,
                             crop=np.full((20, 20), 200, np.uint8))]
        sheet = store.save_page("abc", 1, "scan.png", PageReading("1x1-00", cells), "m")
        store.correct(sheet, 1, 1, 7)
    return path.read_bytes()


def _other_name(tmp_path, target, how: str):
    """`target` itself, or a new name for the same file."""
    if how == "same":
        return target
    if how == "dotted":
        return tmp_path / "." / ".." / tmp_path.name / target.name
    alias = tmp_path / "elsewhere" / f"alias-{how}"
    alias.parent.mkdir(exist_ok=True)
    if how == "symlink":
        alias.symlink_to(target)
    else:
        os.link(target, alias)
    return alias


@pytest.mark.parametrize("how", ["same", "dotted", "symlink", "hardlink"])
def test_export_refuses_to_write_over_the_database(tmp_path, capsys, how):
    db = tmp_path / "r.db"
    before = _database(db)
    out = _other_name(tmp_path, db, how)
    assert main(["sheet", "export", "--db", str(db), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "same file" in err and err.count("\n") == 1
    assert db.read_bytes() == before
    with SheetStore(db) as store:
        assert store.results()[0]["corrected_digit"] == 7


def _blank_scan(path):
    Image.fromarray(np.full((300, 200), 240, np.uint8)).save(path)
    return path


@pytest.mark.parametrize(("target", "option", "how"), [
    ("db", "--out", "same"), ("db", "--out", "hardlink"), ("db", "--out", "symlink"),
    ("scan", "--out", "same"), ("scan", "--out", "hardlink"), ("layout", "--out", "symlink"),
    ("scan", "--crops", "same"), ("layout", "--crops", "hardlink"), ("db", "--crops", "same"),
    ("scan", "--db", "same"), ("layout", "--db", "symlink"),
])
def test_read_refuses_outputs_that_are_inputs(tmp_path, capsys, target, option, how):
    from braintank.sheets.printing.template import write_template

    write_template(tmp_path / "tpl", 2, 2)
    inputs = {"db": tmp_path / "r.db", "scan": _blank_scan(tmp_path / "scan.png"),
              "layout": tmp_path / "tpl" / "layout.json"}
    _database(inputs["db"])
    before = {name: path.read_bytes() for name, path in inputs.items()}
    options = {"--out": tmp_path / "out.csv", "--db": inputs["db"],
               "--crops": tmp_path / "crops"}
    options[option] = _other_name(tmp_path, inputs[target], how)
    code = main(["sheet", "read", str(inputs["scan"]), "--layout", str(inputs["layout"]),
                 *[str(v) for pair in options.items() for v in pair]])
    err = capsys.readouterr().err
    assert code == 2 and "same file" in err, err
    assert {name: path.read_bytes() for name, path in inputs.items()} == before
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "crops").exists()


def test_distinct_paths_are_accepted(tmp_path):
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    refuse_overwriting_inputs(tmp_path / "c", [tmp_path / "a", tmp_path / "b"], "--out")
    refuse_overwriting_inputs(tmp_path / "a", [tmp_path / "b", None], "--out")


def test_refusal_names_the_option_and_both_paths(tmp_path):
    (tmp_path / "a").write_text("a")
    with pytest.raises(BraintankError, match=r"--out .*a is the same file as .*a"):
        refuse_overwriting_inputs(tmp_path / "a", [tmp_path / "a"], "--out")


def test_a_symlink_loop_is_not_a_crash(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    refuse_overwriting_inputs(tmp_path / "out.csv", [loop], "--out")
