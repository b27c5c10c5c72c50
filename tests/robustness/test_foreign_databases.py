"""A results database is recognised by the mark braintank puts in the SQLite header when it
creates one (application id and schema version); any other SQLite file given as --db or
--store is refused, byte for byte unchanged, even when its tables are named like braintank's.
A store of an older braintank (no mark, exactly braintank's tables) is marked once and used."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from braintank.sheets.storing.store import (
    APPLICATION_ID,
    LEGACY_TABLES,
    SCHEMA,
    SCHEMA_VERSION,
    SheetStore,
    StoreError,
)

from .cli_errors import one_line_error

OURS = sorted(LEGACY_TABLES | {"inputs", "correction_log"})
names = st.sampled_from([*OURS, "scores", "people", "notes", "t1"])
columns = st.lists(st.sampled_from(["id", "sha256", "page", "file", "status", "sheet_id", "row",
                                    "col", "digit", "corrected_at", "cell_id", "guess", "x"]),
                   min_size=1, max_size=6, unique=True)


@st.composite
def foreign_databases(draw) -> dict:
    """Another program's SQLite file: some tables (often named like ours), maybe a view, an
    index or a foreign application id; never an unmarked store of an older braintank."""
    tables = draw(st.dictionaries(names, columns, max_size=6))
    spec = {"tables": tables,
            "app_id": draw(st.sampled_from([0, 0, 0, 1, 0x4750_4B47, APPLICATION_ID + 1])),
            "version": draw(st.sampled_from([0, 0, 3])),
            "view": draw(st.booleans()), "rows": draw(st.integers(0, 3))}
    legacy_like = (spec["app_id"] == 0 and spec["version"] == 0 and not spec["view"]
                   and set(tables) <= set(OURS) and LEGACY_TABLES <= set(tables))
    assume(not legacy_like or not tables)  # a real old store's columns may match: not foreign
    assume(tables or spec["app_id"] or spec["version"] or spec["view"])  # an empty file is new
    return spec


def _write(path: Path, spec: dict) -> bytes:
    with sqlite3.connect(path) as conn:
        for table, cols in spec["tables"].items():
            conn.execute(f"CREATE TABLE {table} ({', '.join(cols)})")
            for i in range(spec["rows"]):
                conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(cols))})",
                             [i] * len(cols))
        if spec["view"]:
            conn.execute("CREATE VIEW summary AS SELECT 1 AS one")
        conn.execute(f"PRAGMA application_id = {spec['app_id']}")
        conn.execute(f"PRAGMA user_version = {spec['version']}")
    conn.close()
    return path.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(spec=foreign_databases(), wal=st.booleans())
def test_a_foreign_sqlite_file_is_refused_and_left_unchanged(spec, wal):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "other.db"
        before = _write(path, spec)
        with pytest.raises(StoreError, match="not a braintank sheets database"):
            SheetStore(path, wal=wal)
        with pytest.raises(StoreError, match="not a braintank sheets database"):
            SheetStore.open_readonly(path)
        assert path.read_bytes() == before
        assert sorted(p.name for p in Path(folder).iterdir()) == ["other.db"]  # no -wal


@pytest.fixture()
def foreign(tmp_path) -> tuple[Path, bytes]:
    """Another program's file with a table named like braintank's and the same columns."""
    path = tmp_path / "app.db"
    spec = {"tables": {"sheets": ["id", "sha256", "page", "file", "status"],
                       "invoices": ["id", "total"]},
            "app_id": 0, "version": 0, "view": False, "rows": 2}
    return path, _write(path, spec)


@pytest.mark.parametrize("argv", [
    ["sheet", "read", "{scan}", "--out", "{tmp}/out.csv", "--db", "{db}"],
    ["sheet", "export", "--db", "{db}", "--out", "{tmp}/out.csv"],
    ["sheet", "review", "--db", "{db}"],
    ["serve", "--db", "{db}", "--port", "0"],
    ["finetune", "--store", "{db}", "--out", "{tmp}/run"],
])
def test_every_command_refuses_a_foreign_database_unchanged(capsys, tmp_path, foreign, argv):
    path, before = foreign
    (tmp_path / "scan.png").write_bytes(b"not an image")
    filled = [a.format(scan=tmp_path / "scan.png", tmp=tmp_path, db=path) for a in argv]
    line = one_line_error(capsys, filled)
    assert "app.db: not a braintank sheets database" in line and "invoices" in line
    assert path.read_bytes() == before
    assert not (tmp_path / "out.csv").exists()


def test_a_store_of_an_older_braintank_is_marked_once_and_kept(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA)
        conn.execute("DROP TABLE inputs")  # as stores were before inputs were kept
        conn.execute("INSERT INTO sheets VALUES (1, 'abc', 1, 'a.png', NULL, 'read', NULL, 0)")
    conn.close()
    with SheetStore.open_readonly(path) as store:  # read-only: read, never marked
        assert store.query("PRAGMA application_id") == [(0,)]
    with SheetStore(path) as store:
        assert store.query("PRAGMA application_id") == [(APPLICATION_ID,)]
        assert store.query("PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert store.query("SELECT file FROM sheets") == [("a.png",)] and store.has_table("inputs")


def test_a_new_store_is_marked_and_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    SheetStore(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="made by a newer braintank"):
        SheetStore(path, wal=True)
    assert path.read_bytes() == before
