"""Results database: readings stored per page, corrections survive re-reading, clear errors."""

from __future__ import annotations

import csv
import os
import sqlite3

import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.sheets.export import export_csv
from braintank.sheets.reader import CellReading, PageReading
from braintank.sheets.store import SheetStore


def _reading(digits: list[int | None]) -> PageReading:
    cells = []
    for i, d in enumerate(digits):
        status = "empty" if d is None else ("ok" if d % 2 == 0 else "review")
        cells.append(CellReading(1, i + 1, d if status == "ok" else None, 0.5 if d else 0.0,
                                 status, "" if status != "review" else "low confidence",
                                 guess=d, crop=np.full((20, 20), 200, np.uint8)))
    return PageReading("1x3-00", cells)


def test_rereading_keeps_corrections(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        sheet = store.save_page("abc", 1, "scan.jpg", _reading([2, 3, None]), "m")
        store.correct(sheet, 1, 2, 8)
        again = store.save_page("abc", 1, "renamed.jpg", _reading([2, 5, None]), "m")
        assert again == sheet
        export_csv(store, tmp_path / "final.csv")
    lines = (tmp_path / "final.csv").read_text().splitlines()
    assert lines[0] == ("file,page,row,col,digit,confidence,status,reason,row_label,col_label,"
                        "title,reviewer,answered_at")
    assert lines[1].startswith("renamed.jpg,1,1,1,2,") and lines[1].endswith(",ok,,,,,,")
    # Why a person had to look stays beside the correction.
    assert lines[2].startswith("renamed.jpg,1,1,2,8,") \
        and ",corrected,low confidence,,,,," in lines[2]
    assert lines[3] == "renamed.jpg,1,1,3,,,empty,,,,,,"


def test_failure_does_not_replace_a_reading(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        store.save_page("abc", 1, "scan.jpg", _reading([2]), "m")
        store.save_failure("abc", 1, "scan.jpg", "boom")
        assert store.sheet_status("abc", 1) == "read"
        store.save_failure("def", 1, "other.jpg", "no markers")
        assert store.failures() == [("other.jpg", 1, "no markers")]


def test_correction_must_be_a_digit(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        sheet = store.save_page("abc", 1, "scan.jpg", _reading([2]), "m")
        with pytest.raises(BraintankError, match="digit 0-9"):
            store.correct(sheet, 1, 1, 12)


def test_locked_database_is_a_clear_error(tmp_path):
    path = tmp_path / "r.db"
    SheetStore(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(BraintankError, match="locked"):
            with SheetStore(path, timeout=0.2) as store:
                store.save_page("abc", 1, "scan.jpg", _reading([2]), "m")
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_lock_taken_while_open(tmp_path):
    path = tmp_path / "r.db"
    with SheetStore(path, timeout=0.2) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(BraintankError, match="locked"):
                store.save_page("abc", 1, "scan.jpg", _reading([2]), "m")
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.save_page("abc", 1, "scan.jpg", _reading([2]), "m")
        assert store.sheet_status("abc", 1) == "read"


def test_not_a_database(tmp_path):
    path = tmp_path / "r.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BraintankError, match="not a braintank sheets database"):
        SheetStore(path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores file permissions")
def test_read_only_database(tmp_path):
    path = tmp_path / "r.db"
    SheetStore(path).close()
    path.chmod(0o444)
    with SheetStore(path) as store, pytest.raises(BraintankError, match="read-only"):
        store.save_page("abc", 1, "scan.jpg", _reading([2]), "m")


def test_reason_column_is_safe_in_a_spreadsheet(tmp_path):
    """The reason is text like any other cell: one that a spreadsheet would run as a formula
    is written with a ' in front."""
    crop = np.full((20, 20), 200, np.uint8)
    page = PageReading("1x2-00", [
        CellReading(1, 1, None, 0.0, "review", "not in the photo", crop=crop),
        CellReading(1, 2, None, 0.3, "review", "=HYPERLINK(\"x\")", guess=1, crop=crop)])
    with SheetStore(tmp_path / "r.db") as store:
        store.save_page("abc", 1, "scan.jpg", page, "m")
        export_csv(store, tmp_path / "final.csv")
    with open(tmp_path / "final.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["reason"] for r in rows] == ["not in the photo", "'=HYPERLINK(\"x\")"]
