"""Answers beyond "store this one", in a real SQLite store: versions and conflicts, undo,
history, claims that hand reviewers different cells, deleting a sheet without losing its
answers, and a store of the previous schema upgraded in place."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing import answers
from braintank.sheets.storing.answers import AnswerConflict, NotFound, SheetGone
from braintank.sheets.storing.store import SCHEMA_VERSION, SheetStore


def _page(n: int = 4, status: str = "review") -> PageReading:
    crop = np.full((20, 20), 200, np.uint8)
    return PageReading(f"1x{n}-00", [CellReading(1, c, None, 0.4, status, "low confidence",
                                                 guess=c % 10, crop=crop)
                                     for c in range(1, n + 1)])


@pytest.fixture()
def store(tmp_path):
    with SheetStore(tmp_path / "r.db") as opened:
        yield opened


def test_an_answer_to_a_cell_changed_since_it_was_shown_is_refused(store):
    sheet = store.save_page("a" * 64, 1, "a.png", _page(), "m")
    first = store.correct(sheet, 1, 1, 7, who="Bo", expected=0)
    assert first > 0
    with pytest.raises(AnswerConflict, match="answered 7 by Bo") as refused:
        store.correct(sheet, 1, 1, 3, who="Ana", expected=0)  # Ana's page still showed none
    assert refused.value.current.to_dict()["answer"] == "7"
    # The same answer is agreement, not a conflict; it is logged too.
    assert store.correct(sheet, 1, 1, 7, who="Ana", expected=0) > first
    # Shown the current version, Ana may change it.
    now = answers.in_force(store.conn, sheet, 1, 1).version
    store.correct(sheet, 1, 1, 3, who="Ana", expected=now)
    assert store.results()[0]["corrected_digit"] == 3
    log = store.query("SELECT digit, who FROM correction_log ORDER BY id")
    assert log == [(7, "Bo"), (7, "Ana"), (3, "Ana")]  # the refused 3 never reached it


def test_undo_takes_back_the_reviewers_last_answer_only(store):
    sheet = store.save_page("a" * 64, 1, "a.png", _page(), "m")
    store.correct(sheet, 1, 1, 4, who="Ana")
    store.correct(sheet, 1, 1, 9, who="Ana")
    store.correct(sheet, 1, 2, 5, who="Bo")
    undone = answers.undo_last(store, "Ana")
    assert (undone["row"], undone["col"], undone["undone"]) == (1, 1, "9")
    assert undone["in_force"]["answer"] == "4"
    answers.undo_last(store, "Ana")
    results = {r["col"]: r for r in store.results()}
    assert not results[1]["corrected"] and results[2]["corrected_digit"] == 5  # back in queue
    with pytest.raises(NotFound, match="Ana has no answer left to undo"):
        answers.undo_last(store, "Ana")
    history = answers.history(store, sheet)[(1, 1)]
    assert [(h["answer"], h["who"], h["undone"]) for h in history] == [
        ("4", "Ana", True), ("9", "Ana", True)]


def test_undo_after_someone_else_answered_keeps_their_answer(store):
    sheet = store.save_page("a" * 64, 1, "a.png", _page(), "m")
    store.correct(sheet, 1, 1, 4, who="Ana")
    store.correct(sheet, 1, 1, 8, who="Bo")
    undone = answers.undo_last(store, "Ana")
    assert undone["in_force"]["answer"] == "8" and undone["in_force"]["who"] == "Bo"


def test_claims_hand_two_reviewers_different_cells_and_expire(store, monkeypatch):
    sheet = store.save_page("a" * 64, 1, "a.png", _page(6), "m")
    ana = answers.claim(store, "Ana", 3)
    bo = answers.claim(store, "Bo", 3)
    cells = lambda given: [(i["sheet_id"], i["row"], i["col"]) for i in given["items"]]  # noqa: E731
    assert len(cells(ana)) == len(cells(bo)) == 3 and not set(cells(ana)) & set(cells(bo))
    assert answers.claim(store, "Cy", 3)["items"] == []
    assert answers.claim(store, "Cy", 3)["others"] == ["Ana", "Bo"]
    assert cells(answers.claim(store, "Ana", 3)) == cells(ana)  # a reload gets them back
    skipped = answers.claim(store, "Ana", 3, skip={cells(ana)[0]})
    assert cells(ana)[0] not in cells(skipped) and skipped["skipped"] == 1
    store.correct(sheet, 1, cells(bo)[0][2], 1, who="Bo")
    assert answers.claim(store, "Bo", 3)["left"] == 5
    later = answers.time.time() + answers.CLAIM_SECONDS + 1
    monkeypatch.setattr(answers.time, "time", lambda: later)
    assert len(answers.claim(store, "Cy", 10)["items"]) == 5  # everyone else's expired


def test_a_deleted_sheet_leaves_the_results_and_keeps_its_answers(store):
    sheet = store.save_page("a" * 64, 1, "a.png", _page(), "m")
    store.correct(sheet, 1, 1, 4, who="Ana")
    gone = answers.delete_sheet(store, sheet, "Ana")
    assert gone["answers_kept"] == 1 and store.results() == []
    assert answers.claim(store, "Bo", 5)["items"] == []
    with pytest.raises(SheetGone, match="was deleted by Ana"):
        answers.check_answerable(store.conn, sheet, 1, 2)
    with pytest.raises(NotFound, match="already deleted"):
        answers.delete_sheet(store, sheet, "Ana")
    # Reading the page again brings it back with its answer.
    assert store.save_page("a" * 64, 1, "a.png", _page(), "m") == sheet
    assert store.results()[0]["corrected_digit"] == 4


def test_a_store_of_the_previous_schema_is_upgraded_in_place(tmp_path):
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:  # as braintank wrote stores of schema 1
        conn.executescript(V1_SCHEMA)
        conn.execute("PRAGMA application_id = 1112820563")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO sheets VALUES (1, 'abc', 1, 'a.png', '1x2-00', 'read', NULL, "
                     "0)")
        conn.execute("INSERT INTO cells VALUES (1, 1, 1, 1)")
        conn.execute("INSERT INTO predictions VALUES (1, NULL, 3, 0.5, 'review', 'x', '[]', "
                     "'m')")
        conn.execute("INSERT INTO corrections VALUES (1, 1, 1, 3, 10.0, 'Ana', 0)")
        conn.execute("INSERT INTO correction_log VALUES (1, 1, 1, 1, 3, 10.0, 'Ana', 0)")
    conn.close()
    with SheetStore.open_readonly(path) as store:  # read-only: read as it is, not upgraded
        assert store.query("PRAGMA user_version") == [(1,)] and not store.has_table("claims")
        assert store.results()[0]["title"] == ""
    with SheetStore(path) as store:
        assert store.query("PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(2,)]
        assert store.has_table("layouts") and store.has_table("claims")
        assert store.results()[0]["corrected_digit"] == 3
        undone = answers.undo_last(store, "Ana")
        assert undone["in_force"] is None


V1_SCHEMA = """
CREATE TABLE sheets (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, page INTEGER NOT NULL,
    file TEXT NOT NULL, layout_id TEXT, status TEXT NOT NULL, error TEXT, read_at REAL NOT NULL,
    UNIQUE (sha256, page));
CREATE TABLE cells (id INTEGER PRIMARY KEY, sheet_id INTEGER NOT NULL REFERENCES sheets(id)
    ON DELETE CASCADE, row INTEGER NOT NULL, col INTEGER NOT NULL, UNIQUE (sheet_id, row, col));
CREATE TABLE crops (cell_id INTEGER PRIMARY KEY REFERENCES cells(id) ON DELETE CASCADE,
    png BLOB NOT NULL, path TEXT);
CREATE TABLE predictions (cell_id INTEGER PRIMARY KEY REFERENCES cells(id) ON DELETE CASCADE,
    digit INTEGER, guess INTEGER, confidence REAL NOT NULL, status TEXT NOT NULL,
    reason TEXT NOT NULL, probabilities TEXT NOT NULL, model TEXT NOT NULL);
CREATE TABLE corrections (sheet_id INTEGER NOT NULL REFERENCES sheets(id), row INTEGER NOT NULL,
    col INTEGER NOT NULL, digit INTEGER, corrected_at REAL NOT NULL, who TEXT,
    unreadable INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (sheet_id, row, col));
CREATE TABLE inputs (cell_id INTEGER PRIMARY KEY REFERENCES cells(id) ON DELETE CASCADE,
    image BLOB);
CREATE TABLE correction_log (id INTEGER PRIMARY KEY, sheet_id INTEGER NOT NULL
    REFERENCES sheets(id), row INTEGER NOT NULL, col INTEGER NOT NULL, digit INTEGER,
    corrected_at REAL NOT NULL, who TEXT, unreadable INTEGER NOT NULL DEFAULT 0);
"""
