"""`braintank finetune` refuses what it cannot learn from, in one line, before writing anything:
a missing, foreign or empty store, too few corrected digits, a model it cannot train, a run
folder that is finished or not its own, --resume mixed with new settings (issue 9)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from braintank.cli.main import main
from braintank.scratch import mlp
from braintank.scratch.serialize import save_model
from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.store import SheetStore


def store_with(path, labeled: int, without_input: int = 0):
    """A real store holding one page: `labeled` corrected digits with their network inputs,
    and `without_input` more whose inputs were never stored (an older braintank)."""
    rng = np.random.default_rng(0)
    total = labeled + without_input
    cells = [CellReading(1 + i // 10, 1 + i % 10, None, 0.5, "review", "low", guess=i % 10,
                         crop=np.full((20, 20), 200, np.uint8),
                         input28=rng.random((28, 28)).astype(np.float32)) for i in range(total)]
    with SheetStore(path) as store:
        sheet = store.save_page("abc", 1, "scan.jpg", PageReading("test", cells), "m")
        for i, cell in enumerate(cells):
            store.correct(sheet, cell.row, cell.col, i % 10)
        store.conn.execute("DELETE FROM inputs WHERE cell_id IN (SELECT id FROM cells "
                           f"ORDER BY id LIMIT {without_input})")
    return path


def refused(capsys, tmp_path, *argv) -> str:
    out = tmp_path / "run"
    code = main(["finetune", "--out", str(out), "--no-progress", *argv])
    stdout, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code != 0 and stdout == "", (stdout, err)
    assert len(lines) == 1 and lines[0].startswith("braintank: error:"), err
    assert not out.exists() or sorted(p.name for p in out.iterdir()) == ["model.pt"]
    return lines[0]


def test_missing_store_or_a_folder(capsys, tmp_path):
    line = refused(capsys, tmp_path, "--store", str(tmp_path / "none.db"))
    assert "none.db: no results database" in line
    assert "is a folder, not a results database" in refused(capsys, tmp_path, "--store",
                                                            str(tmp_path))


@pytest.mark.parametrize("content", [b"", b"judges,scores\n1,2\n", b"SQLite format 3\x00junk"])
def test_a_file_that_is_not_a_sheets_database(capsys, tmp_path, content):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    line = refused(capsys, tmp_path, "--store", str(path))
    assert "notes.db: not a braintank sheets database" in line
    assert path.read_bytes() == content


def test_another_programs_sqlite_database_is_refused_and_left_unchanged(capsys, tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE sheets (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO sheets VALUES (1, 'not ours')")
    before = path.read_bytes()
    line = refused(capsys, tmp_path, "--store", str(path))
    assert "other.db: not a braintank sheets database (an SQLite file of another program" in line
    assert path.read_bytes() == before


def test_an_empty_store_and_too_few_corrections_say_how_many_are_needed(capsys, tmp_path):
    SheetStore(tmp_path / "empty.db").close()
    line = refused(capsys, tmp_path, "--store", str(tmp_path / "empty.db"))
    assert "0 corrected digits to learn from; finetune needs at least 50" in line
    few = store_with(tmp_path / "few.db", labeled=30, without_input=25)
    line = refused(capsys, tmp_path, "--store", str(few))
    assert "30 corrected digits to learn from; finetune needs at least 50" in line
    assert "25 more have no stored network input" in line and "--reread" in line


def test_too_small_a_held_out_share(capsys, tmp_path):
    store = store_with(tmp_path / "s.db", labeled=60)
    line = refused(capsys, tmp_path, "--store", str(store), "--holdout", "0.1")
    assert "--holdout 0.1 of 60 corrected digits keeps 6 to recalibrate on" in line
    assert "needs at least 10 (at least 95 corrected digits" in line
    assert "--holdout must be between 0.05 and 0.5" in refused(
        capsys, tmp_path, "--store", str(store), "--holdout", "0.9")
    assert "--epochs must be at least 1" in refused(
        capsys, tmp_path, "--store", str(store), "--epochs", "0")


def test_a_numpy_engine_or_foreign_model_is_refused(capsys, tmp_path):
    store = store_with(tmp_path / "s.db", labeled=60)
    npz = tmp_path / "scratch.npz"
    save_model(mlp([784, 8, 10], seed=0), npz, meta={"normalize": [0.1307, 0.3081]})
    line = refused(capsys, tmp_path, "--store", str(store), "--model", str(npz))
    assert "scratch.npz: a NumPy-engine model; finetune needs a PyTorch model" in line
    text = tmp_path / "model.pt"
    text.write_text("not a model")
    assert "model.pt: not a braintank model file" in refused(
        capsys, tmp_path, "--store", str(store), "--model", str(text))


def test_a_finished_or_foreign_run_folder_is_not_overwritten(capsys, tmp_path):
    store = store_with(tmp_path / "s.db", labeled=60)
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.pt").write_bytes(b"finished earlier")
    line = refused(capsys, tmp_path, "--store", str(store))
    assert "already holds a finished model (model.pt); choose another --out" in line
    assert (run / "model.pt").read_bytes() == b"finished earlier"
    assert "finished (model.pt is written); nothing to resume" in refused(
        capsys, tmp_path, "--resume")
    other = tmp_path / "mine"
    other.mkdir()
    (other / "thesis.tex").write_text("keep me")
    code = main(["finetune", "--store", str(store), "--out", str(other)])
    _, err = capsys.readouterr()
    assert code != 0 and "holds files that are not a finetune run's (e.g. thesis.tex)" in err
    assert sorted(p.name for p in other.iterdir()) == ["thesis.tex"]


def test_resume_takes_no_new_settings_and_needs_a_run(capsys, tmp_path):
    store = store_with(tmp_path / "s.db", labeled=60)
    line = refused(capsys, tmp_path, "--resume", "--store", str(store), "--epochs", "3")
    assert "--store, --epochs cannot change them" in line
    line = refused(capsys, tmp_path, "--resume")
    assert "no finetune snapshot" in line and "without --resume" in line
    assert "--store is required" in refused(capsys, tmp_path)
