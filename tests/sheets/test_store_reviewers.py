"""Who answered and the 'unreadable' answer: kept in the store, shown in the CSV; old stores
gain the columns on opening; WAL is switched on when asked for."""

from __future__ import annotations

import sqlite3

import numpy as np

from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.export import to_csv
from braintank.sheets.storing.store import SheetStore


def _page() -> PageReading:
    crop = np.full((20, 20), 200, np.uint8)
    return PageReading("1x2-00", [
        CellReading(1, 1, None, 0.4, "review", "low confidence", guess=3, crop=crop),
        CellReading(1, 2, None, 0.5, "review", "low confidence", guess=5, crop=crop)])


def test_who_and_unreadable_are_kept_and_exported(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        sheet = store.save_page("abc", 1, "scan.jpg", _page(), "m")
        store.correct(sheet, 1, 1, 8, who="ana")
        store.correct(sheet, 1, 2, None, who="bo", unreadable=True)
        rows = store.results()
        log = store.query("SELECT row, col, digit, who, unreadable FROM correction_log")
    assert [(r["corrected_by"], r["unreadable"]) for r in rows] == [("ana", 0), ("bo", 1)]
    assert rows[0]["corrected_at"] > 0
    assert log == [(1, 1, 8, "ana", 0), (1, 2, None, "bo", 1)]
    lines = to_csv(rows).splitlines()
    assert lines[1].startswith("scan.jpg,1,1,1,8,") \
        and ",corrected,low confidence,,,,ana,20" in lines[1]
    assert lines[2].startswith("scan.jpg,1,1,2,,") \
        and ",unreadable,low confidence,,,,bo,20" in lines[2]


def test_a_store_without_the_new_columns_gains_them(tmp_path):
    path = tmp_path / "old.db"
    SheetStore(path).close()
    old = sqlite3.connect(path, isolation_level=None)
    for table in ("corrections", "correction_log"):  # rebuild both as older braintanks wrote
        old.execute(f"DROP TABLE {table}")
    old.execute("CREATE TABLE corrections (sheet_id INTEGER NOT NULL, row INTEGER NOT NULL, "
                "col INTEGER NOT NULL, digit INTEGER, corrected_at REAL NOT NULL, "
                "PRIMARY KEY (sheet_id, row, col))")
    old.execute("CREATE TABLE correction_log (id INTEGER PRIMARY KEY, sheet_id INTEGER NOT "
                "NULL, row INTEGER NOT NULL, col INTEGER NOT NULL, digit INTEGER, "
                "corrected_at REAL NOT NULL)")
    old.execute("PRAGMA user_version = 1")  # the schema version those stores were marked with
    old.close()
    with SheetStore(path) as store:
        sheet = store.save_page("abc", 1, "scan.jpg", _page(), "m")
        store.correct(sheet, 1, 1, 2, who="cy")
        assert store.results()[0]["corrected_by"] == "cy"


def test_wal_is_switched_on_when_asked(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        assert store.query("PRAGMA journal_mode")[0][0] == "delete"
    with SheetStore(tmp_path / "r.db", wal=True) as store:
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"
