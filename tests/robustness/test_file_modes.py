"""Atomic writes give files the permissions a plain open() would, not mkstemp's 0600."""

from __future__ import annotations

import os
import stat

import pytest

from braintank.fileio import atomic_write_bytes, atomic_write_text
from braintank.sheets.storing.export import export_csv
from braintank.sheets.storing.store import SheetStore


@pytest.fixture()
def umask():
    """Set the process umask for one test, then put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664),
                                                (0o077, 0o600), (0o000, 0o666)])
def test_new_file_gets_the_umask_permissions(tmp_path, umask, mask, expected):
    umask(mask)
    atomic_write_bytes(tmp_path / "new.bin", b"x")
    atomic_write_text(tmp_path / "new.txt", "x")
    assert _mode(tmp_path / "new.bin") == expected
    assert _mode(tmp_path / "new.txt") == expected


@pytest.mark.parametrize("kept", [0o640, 0o644, 0o600, 0o604, 0o444, 0o755])
def test_replacing_a_file_keeps_its_mode(tmp_path, umask, kept):
    umask(0o022)
    target = tmp_path / "old.csv"
    target.write_text("old")
    os.chmod(target, kept)
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and _mode(target) == kept


def test_exported_csv_is_readable_by_the_group_and_others(tmp_path, umask):
    umask(0o022)
    with SheetStore(tmp_path / "r.db") as store:
        export_csv(store, tmp_path / "out.csv")
    assert _mode(tmp_path / "out.csv") == 0o644


def test_current_umask_reads_without_changing_it(umask):
    from braintank.fileio import current_umask

    umask(0o027)
    assert current_umask() == 0o027
    assert os.umask(0o027) == 0o027


def test_a_name_near_the_length_limit_can_be_written(tmp_path):
    for name in ("n" * 250 + ".csv", "\u00e9" * 125 + ".csv", "\U0001f600" * 62 + ".csv"):
        atomic_write_text(tmp_path / name, "x")
        assert (tmp_path / name).read_text() == "x"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
