"""A scan that cannot be read (no permission, a folder, a FIFO, a broken link) is one failed
file: the other pages are read, the CSV is written, the failure is named, the exit code is 1.

The tests run as root in CI, and root ignores permission bits; a write-only /proc/sys file is
a real file on which open() fails with EACCES even for root, so the PermissionError path is
exercised for real either way.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.sheets.storing.batch import file_sha256

from .conftest import model_path

WRITE_ONLY_PROC_FILE = Path("/proc/sys/vm/compact_memory")


def _open_fails(path: Path) -> bool:
    try:
        with open(path, "rb"):
            return False
    except PermissionError:
        return True


@pytest.fixture()
def unreadable(tmp_path) -> Path:
    """A regular file (by name) that open() refuses with PermissionError."""
    path = tmp_path / "locked" / "locked.jpg"
    path.parent.mkdir()
    if os.geteuid() != 0:
        path.write_bytes(b"\xff\xd8 not read anyway")
        path.chmod(0)
    elif WRITE_ONLY_PROC_FILE.is_file():
        path.symlink_to(WRITE_ONLY_PROC_FILE)
    if not (path.is_file() and _open_fails(path)):
        pytest.skip("no way to make a file unreadable here")
    return path


def test_file_sha256_turns_os_errors_into_one_line_errors(unreadable, tmp_path):
    with pytest.raises(BraintankError, match="locked.jpg: cannot be read .*ermission denied"):
        file_sha256(unreadable)
    with pytest.raises(BraintankError, match="cannot be read"):
        file_sha256(tmp_path)  # a directory


def test_unreadable_scans_do_not_stop_the_batch(tmp_path, scans, classifier, unreadable,
                                                capsys):
    folder, _sheets = scans
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "folder.jpg").mkdir()
    os.mkfifo(odd / "fifo.jpg")  # opening it would wait for a writer forever
    (odd / "broken.jpg").symlink_to(odd / "gone.jpg")
    inputs = [folder / "good1.jpg", unreadable, odd / "folder.jpg", odd / "fifo.jpg",
              odd / "broken.jpg", odd / "missing.jpg", folder / "good2.jpg"]
    out = tmp_path / "results.csv"
    code = main(["sheet", "read", *map(str, inputs), "--out", str(out), "--db",
                 str(tmp_path / "r.db"), "--model", str(model_path()), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "Traceback" not in captured.err
    expected = {"locked.jpg": "permission denied", "folder.jpg": "is a directory",
                "fifo.jpg": "not a regular file", "broken.jpg": "broken symbolic link",
                "missing.jpg": "file not found"}
    for name, reason in expected.items():
        lines = [x for x in captured.err.splitlines() if "skipped" in x and name in x]
        assert len(lines) == 1 and reason in lines[0].lower(), (name, captured.err)
    assert "2 pages read" in captured.out and "5 failed" in captured.out
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted({Path(r["file"]).name for r in rows}) == ["good1.jpg", "good2.jpg"]
    assert len(rows) == 200
