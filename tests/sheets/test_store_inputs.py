"""What finetune learns from: each read cell's network input kept with the page, the history
of corrections (two answers for one cell: the latest wins, and it is reported), and stores
written before either existed."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from braintank.sheets.reading.reader import CellReading, PageReading, read_page
from braintank.sheets.simulating.simulate import simulate_sheet
from braintank.sheets.storing.batch import read_batch
from braintank.sheets.storing.labeled import labeled_cells
from braintank.sheets.storing.store import SheetStore, StoreError, input_bytes


def test_each_single_mark_cell_keeps_the_image_the_network_judged(tmp_path, mnist_test,
                                                                  layout, classifier):
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(3), dpi=220,
                           special_rate=0.1)
    scan = tmp_path / "scan.png"
    scan.write_bytes(sheet.data)
    reading = read_page(sheet.image, classifier)
    with SheetStore(tmp_path / "r.db") as store:
        read_batch([scan], store, classifier, log=lambda _m: None)
        stored = dict(store.query(
            "SELECT c.row * 100 + c.col, i.image FROM cells c JOIN inputs i ON i.cell_id = c.id"))
    judged = [c for c in reading.cells if c.input28 is not None]
    assert len(judged) > 50
    for cell in reading.cells:
        key = cell.row * 100 + cell.col
        if cell.status == "empty":
            assert key not in stored
        elif cell.input28 is None:  # several marks, a dash: never judged alone
            assert stored[key] is None
        else:
            assert stored[key] == input_bytes(cell.input28)
            # the stored image is the input: the network reads it back to the same guess
            again = classifier.predict_batch28(
                np.frombuffer(stored[key], np.uint8).reshape(1, 28, 28) / 255.0)[0]
            assert int(np.argmax(again)) == cell.guess
    flagged = [c for c in reading.cells if c.status == "review" and c.input28 is None]
    assert flagged, "the sheet should hold odd marks the reader flags for their shape"


def _page(n: int, rng) -> PageReading:
    cells = [CellReading(1, c + 1, None, 0.5, "review", "low", guess=c % 10,
                         crop=np.full((20, 20), 200, np.uint8),
                         input28=rng.random((28, 28)).astype(np.float32)) for c in range(n)]
    return PageReading("1xN-00", cells)


def test_two_answers_for_one_cell_the_latest_wins_and_is_reported(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        sheet = store.save_page("abc", 1, "scan.jpg", _page(3, np.random.default_rng(0)), "m")
        store.correct(sheet, 1, 1, 7)
        store.correct(sheet, 1, 1, 1)  # a second reviewer, later
        store.correct(sheet, 1, 2, 4)
        store.correct(sheet, 1, 2, 4)  # the same answer twice is no conflict
        store.correct(sheet, 1, 3, 5)
        store.correct(sheet, 1, 3, None)
        found = labeled_cells(store)
        log = store.query("SELECT row, col, digit FROM correction_log ORDER BY id")
    assert found.labels.tolist() == [1, 4]
    assert found.cells == [("scan.jpg", 1, 1, 1), ("scan.jpg", 1, 1, 2)]
    assert found.corrected_empty == 1
    assert [c.describe() for c in found.conflicts] == [
        "scan.jpg page 1 row 1 col 1: 7, then 1", "scan.jpg page 1 row 1 col 3: 5, then empty"]
    assert log == [(1, 1, 7), (1, 1, 1), (1, 2, 4), (1, 2, 4), (1, 3, 5), (1, 3, None)]


OLD_SCHEMA = """
CREATE TABLE sheets (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, page INTEGER NOT NULL,
    file TEXT NOT NULL, layout_id TEXT, status TEXT NOT NULL, error TEXT, read_at REAL NOT NULL,
    UNIQUE (sha256, page));
CREATE TABLE cells (id INTEGER PRIMARY KEY, sheet_id INTEGER NOT NULL REFERENCES sheets(id)
    ON DELETE CASCADE, row INTEGER NOT NULL, col INTEGER NOT NULL, UNIQUE (sheet_id, row, col));
CREATE TABLE crops (cell_id INTEGER PRIMARY KEY, png BLOB NOT NULL, path TEXT);
CREATE TABLE predictions (cell_id INTEGER PRIMARY KEY, digit INTEGER, guess INTEGER,
    confidence REAL NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
    probabilities TEXT NOT NULL, model TEXT NOT NULL);
CREATE TABLE corrections (sheet_id INTEGER NOT NULL, row INTEGER NOT NULL, col INTEGER NOT NULL,
    digit INTEGER, corrected_at REAL NOT NULL, PRIMARY KEY (sheet_id, row, col));
INSERT INTO sheets VALUES (1, 'abc', 1, 'old.jpg', '1x2-00', 'read', NULL, 0);
INSERT INTO cells VALUES (1, 1, 1, 1), (2, 1, 1, 2);
INSERT INTO predictions VALUES (1, 3, 3, 0.99, 'ok', '', '[]', 'm'),
                               (2, NULL, 8, 0.4, 'review', 'low', '[]', 'm');
INSERT INTO corrections VALUES (1, 1, 1, 3, 0), (1, 1, 2, 9, 0), (1, 1, 5, 2, 0);
"""


def test_a_store_from_before_inputs_were_kept_is_read_and_counted(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
    before = path.read_bytes()
    with SheetStore.open_readonly(path) as store:
        found = labeled_cells(store)
    assert path.read_bytes() == before  # read-only: not even the new tables were added
    assert len(found.labels) == 0 and found.without_input == 2 and found.cell_missing == 1
    assert found.conflicts == []
    with SheetStore(path) as store:  # opened for writing, it gains the new tables
        assert store.has_table("inputs") and store.has_table("correction_log")
        store.correct(1, 1, 2, 8)
        assert labeled_cells(store).without_input == 2


def test_a_damaged_input_is_a_clear_error(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        sheet = store.save_page("abc", 1, "scan.jpg", _page(1, np.random.default_rng(0)), "m")
        store.correct(sheet, 1, 1, 2)
        store.conn.execute("UPDATE inputs SET image = x'0102'")
        with pytest.raises(StoreError, match="holds 2 bytes, not 784"):
            labeled_cells(store)
