"""Results database: readings stored per page, corrections survive re-reading, clear errors."""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.export import export_csv
from braintank.sheets.storing.store import SheetStore


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


NOBODY = 65534


def _as_nobody(job) -> str:
    """Run `job()` in a child process that dropped root for user nobody (root ignores file
    permissions, and CI runs as root); returns what it raised, as text ("" if nothing)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            job()
        except BaseException as exc:  # reported to the parent, which asserts on it
            os.write(write_end, f"{type(exc).__name__}: {exc}".encode()[:4000])
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        text = pipe.read().decode()
    os.waitpid(pid, 0)
    return text


@pytest.mark.skipif(os.name != "posix", reason="file permissions are POSIX")
def test_read_only_database(tmp_path):
    if os.geteuid() == 0:  # a folder user nobody may write into, as a user's own folder is
        tmp_path = Path(tempfile.mkdtemp(prefix="braintank-ro-"))
        tmp_path.chmod(0o777)
    try:
        path = tmp_path / "r.db"
        SheetStore(path).close()
        path.chmod(0o444)

        def save_is_refused() -> None:
            with SheetStore(path) as store, pytest.raises(BraintankError, match="read-only"):
                store.save_page("abc", 1, "scan.jpg", _reading([2]), "m")

        if os.geteuid() == 0:
            assert _as_nobody(save_is_refused) == ""
        else:
            save_is_refused()
    finally:
        if os.geteuid() == 0:
            shutil.rmtree(tmp_path)


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
