"""The results database (one SQLite file): sheets, cells, crops, network inputs, predictions,
corrections and the history of corrections.

A sheet is identified by the SHA-256 of its file plus the page number, so re-reading a
sheet (also after renaming the file) replaces its predictions but never its corrections,
which are keyed by sheet, row and column. Each page is written in one transaction: a kill
mid-run leaves every page either fully stored or absent. Tables added later (inputs,
correction_log) are created on opening, so a store written by an older braintank opens too.

A store is marked in the SQLite header (PRAGMA application_id and user_version) when it is
created. Any other SQLite file is refused before anything is written to it, except a store
of an older braintank (no mark, exactly braintank's tables), which is marked once.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from braintank.errors import BraintankError
from braintank.sheets.reader import PageReading, encode_png

SCHEMA = """
CREATE TABLE IF NOT EXISTS sheets (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    page INTEGER NOT NULL,
    file TEXT NOT NULL,
    layout_id TEXT,
    status TEXT NOT NULL,            -- read | failed
    error TEXT,
    read_at REAL NOT NULL,
    UNIQUE (sha256, page)
);
CREATE TABLE IF NOT EXISTS cells (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    row INTEGER NOT NULL,
    col INTEGER NOT NULL,
    UNIQUE (sheet_id, row, col)
);
CREATE TABLE IF NOT EXISTS crops (
    cell_id INTEGER PRIMARY KEY REFERENCES cells(id) ON DELETE CASCADE,
    png BLOB NOT NULL,
    path TEXT
);
CREATE TABLE IF NOT EXISTS predictions (
    cell_id INTEGER PRIMARY KEY REFERENCES cells(id) ON DELETE CASCADE,
    digit INTEGER,
    guess INTEGER,
    confidence REAL NOT NULL,
    status TEXT NOT NULL,            -- ok | review | empty
    reason TEXT NOT NULL,
    probabilities TEXT NOT NULL,
    model TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS corrections (
    sheet_id INTEGER NOT NULL REFERENCES sheets(id),
    row INTEGER NOT NULL,
    col INTEGER NOT NULL,
    digit INTEGER,                   -- NULL: the person says the cell is empty
    corrected_at REAL NOT NULL,
    PRIMARY KEY (sheet_id, row, col)
);
CREATE TABLE IF NOT EXISTS inputs (  -- what the network saw, for `braintank finetune`
    cell_id INTEGER PRIMARY KEY REFERENCES cells(id) ON DELETE CASCADE,
    image BLOB                       -- 784 uint8 (28x28); NULL: no single mark to judge
);
CREATE TABLE IF NOT EXISTS correction_log (  -- every answer, in order; corrections = latest
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id),
    row INTEGER NOT NULL,
    col INTEGER NOT NULL,
    digit INTEGER,
    corrected_at REAL NOT NULL
);
"""

# Columns added after the first stores were written: added on opening when missing. `who`
# names the reviewer; `unreadable` marks an answer "a person cannot read this cell either".
ADDED_COLUMNS = {
    "corrections": (("who", "TEXT"), ("unreadable", "INTEGER NOT NULL DEFAULT 0")),
    "correction_log": (("who", "TEXT"), ("unreadable", "INTEGER NOT NULL DEFAULT 0")),
}

# The mark in the SQLite header: "BTKS" (braintank sheets), and the schema version.
APPLICATION_ID = 0x42544B53
SCHEMA_VERSION = 1
TABLES = frozenset({"sheets", "cells", "crops", "predictions", "corrections", "inputs",
                    "correction_log"})
LEGACY_TABLES = frozenset({"sheets", "cells", "crops", "predictions", "corrections"})
_SHOWN_TABLES = 4

# The tables and columns a store must have to be read (by `finetune`) without being changed.
REQUIRED_COLUMNS = {
    "sheets": {"id", "sha256", "page", "file", "status"},
    "cells": {"id", "sheet_id", "row", "col"},
    "predictions": {"cell_id", "guess"},
    "corrections": {"sheet_id", "row", "col", "digit", "corrected_at"},
}
INPUT_SIDE = 28


def storable_text(text: str) -> str:
    """`text` as valid Unicode: a file name with bytes that are not UTF-8 (held by Python as
    lone surrogates, which SQLite refuses) keeps them as visible escapes such as \\udcff."""
    return text.encode("utf-8", errors="backslashreplace").decode("utf-8")


class StoreError(BraintankError):
    """The database cannot be used; reading more pages would lose their results."""


def _explain(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        why = "database is locked by another process; try again when it has finished"
    elif "readonly" in text or "read-only" in text:
        why = "database is read-only (check the file's and folder's permissions)"
    elif "not a database" in text or "malformed" in text:
        why = "not a braintank sheets database (or it is damaged)"
    elif "unable to open" in text:
        why = "cannot open the database file (missing folder or no permission)"
    else:
        why = f"database error ({exc})"
    return StoreError(f"{path}: {why}")


def _identify(conn: sqlite3.Connection, path: Path) -> str:
    """'store' (marked as ours), 'legacy' (an unmarked store of an older braintank) or 'empty'
    (no tables: a new file); StoreError for any other SQLite file. Reads only."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path}: made by a newer braintank (store schema {version}, this "
                             f"one reads up to {SCHEMA_VERSION}); upgrade braintank")
        return "store"
    if app_id != 0:
        raise StoreError(f"{path}: not a braintank sheets database (an SQLite file of another "
                         f"program: application id {app_id:#x})")
    objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    if not objects and version == 0:
        return "empty"
    tables = {name for kind, name in objects if kind == "table"}
    # Only braintank's tables and the indexes SQLite makes for their UNIQUE keys: a view, a
    # trigger, an index or a table of anyone else's means the file is not ours to change.
    extra = sorted(name for kind, name in objects
                   if not (kind == "table" and name in TABLES)
                   and not (kind == "index" and name.startswith("sqlite_autoindex_")))
    missing = sorted(LEGACY_TABLES - tables)
    if version == 0 and not extra and not missing and _has_required_columns(conn):
        return "legacy"
    why = (f"user version {version}" if version else
           f"it holds {', '.join(extra[:_SHOWN_TABLES])}" if extra else
           f"no {missing[0]} table" if missing else "its tables lack braintank's columns")
    raise StoreError(f"{path}: not a braintank sheets database (an SQLite file of another "
                     f"program: {why})")


def _has_required_columns(conn: sqlite3.Connection) -> bool:
    for table, columns in REQUIRED_COLUMNS.items():
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not columns <= have:
            return False
    return True


def input_bytes(image: np.ndarray) -> bytes:
    """A 28x28 network input (float in [0, 1]) as the 784 uint8 bytes stored."""
    return np.clip(np.rint(np.asarray(image, np.float32) * 255), 0, 255).astype(np.uint8).tobytes()


class SheetStore:
    """Open (creating if needed) the results database at `path`."""

    def __init__(self, path: str | os.PathLike, timeout: float = 5.0, wal: bool = False) -> None:
        """`wal=True` switches the file to write-ahead logging (it stays so): readers never
        wait for a writer, which a server answering while it reads pages needs."""
        self.path = Path(path)
        try:
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None
        try:
            if _identify(self.conn, self.path) != "store":
                # The mark first: a kill while the tables are made leaves a marked store
                # that the next opening completes, never an unmarked half of one.
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if wal:
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.executescript(SCHEMA)
            self._add_missing_columns()
        except sqlite3.Error as exc:
            self.conn.close()
            raise _explain(self.path, exc) from None
        except BaseException:
            self.conn.close()
            raise

    def _add_missing_columns(self) -> None:
        for table, columns in ADDED_COLUMNS.items():
            have = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    @classmethod
    def open_readonly(cls, path: str | os.PathLike, timeout: float = 5.0) -> SheetStore:
        """An existing store, opened so that nothing in the file can change; a missing file,
        a file that is not SQLite, or an SQLite file of another program is a StoreError."""
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path}: is a folder, not a results database")
        if not path.is_file():
            raise StoreError(f"{path}: no results database (run `braintank sheet read` first)")
        store = cls.__new__(cls)
        store.path = path
        try:
            store.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                         timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise _explain(path, exc) from None
        try:
            if _identify(store.conn, path) == "empty":
                raise StoreError(f"{path}: not a braintank sheets database (no tables)")
            if not _has_required_columns(store.conn):
                raise StoreError(f"{path}: not a braintank sheets database (damaged: its "
                                 f"tables lack braintank's columns)")
        except sqlite3.Error as exc:
            store.close()
            raise _explain(path, exc) from None
        except BaseException:
            store.close()
            raise
        return store

    def has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (name,)))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> SheetStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error; sqlite errors made readable."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.conn.execute("ROLLBACK")
            raise _explain(self.path, exc) from None
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None

    # ---- sheets -----------------------------------------------------------------------------
    def sheet_status(self, sha256: str, page: int) -> str | None:
        rows = self.query("SELECT status FROM sheets WHERE sha256 = ? AND page = ?",
                          (sha256, page))
        return rows[0][0] if rows else None

    def _upsert_sheet(self, conn, sha256: str, page: int, file: str, layout_id: str | None,
                      status: str, error: str | None) -> int:
        conn.execute(
            "INSERT INTO sheets (sha256, page, file, layout_id, status, error, read_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, page) DO UPDATE SET "
            "file = excluded.file, layout_id = excluded.layout_id, status = excluded.status, "
            "error = excluded.error, read_at = excluded.read_at",
            (sha256, page, storable_text(file), layout_id, status,
             None if error is None else storable_text(error), time.time()))
        return conn.execute("SELECT id FROM sheets WHERE sha256 = ? AND page = ?",
                            (sha256, page)).fetchone()[0]

    def save_page(self, sha256: str, page: int, file: str, reading: PageReading, model: str,
                  crop_paths: dict[tuple[int, int], str] | None = None) -> int:
        """Store a page's reading, replacing an earlier one; corrections stay."""
        crop_paths = crop_paths or {}
        with self.transaction() as conn:
            sheet_id = self._upsert_sheet(conn, sha256, page, file, reading.layout_id,
                                          "read", None)
            conn.execute("DELETE FROM cells WHERE sheet_id = ?", (sheet_id,))
            for cell in reading.cells:
                cell_id = conn.execute(
                    "INSERT INTO cells (sheet_id, row, col) VALUES (?, ?, ?)",
                    (sheet_id, cell.row, cell.col)).lastrowid
                if cell.crop is not None:
                    crop_path = crop_paths.get((cell.row, cell.col))
                    conn.execute("INSERT INTO crops (cell_id, png, path) VALUES (?, ?, ?)",
                                 (cell_id, encode_png(cell.crop),
                                  None if crop_path is None else storable_text(crop_path)))
                if cell.input28 is not None or cell.status != "empty":
                    conn.execute("INSERT INTO inputs (cell_id, image) VALUES (?, ?)",
                                 (cell_id, None if cell.input28 is None
                                  else input_bytes(cell.input28)))
                conn.execute(
                    "INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (cell_id, cell.digit, cell.guess, cell.confidence, cell.status,
                     cell.reason, json.dumps(cell.probabilities), model))
        return sheet_id

    def save_failure(self, sha256: str, page: int, file: str, error: str) -> None:
        """Remember a page that could not be read (an earlier good reading is kept)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT status FROM sheets WHERE sha256 = ? AND page = ?",
                               (sha256, page)).fetchone()
            if row is None or row[0] == "failed":
                self._upsert_sheet(conn, sha256, page, file, None, "failed", error)

    # ---- corrections ------------------------------------------------------------------------
    def correct(self, sheet_id: int, row: int, col: int, digit: int | None,
                who: str | None = None, unreadable: bool = False) -> None:
        """Record a person's answer for a cell (`None`: the cell is empty; `unreadable`: the
        person cannot read it either, digit None); the latest answer is the cell's
        correction, and every answer stays in correction_log with who gave it and when."""
        if digit is not None and not (0 <= digit <= 9):
            raise BraintankError(f"a correction is a digit 0-9 or empty, got {digit}")
        if unreadable and digit is not None:
            raise BraintankError("an unreadable cell has no digit")
        who = None if who is None else storable_text(who)
        with self.transaction() as conn:
            # One rule: the answer in force is the one logged last. Its time is read under
            # the write lock (never before waiting for it), so log order, time order and the
            # answer kept agree; a clock stepping back cannot put an answer before the last.
            last = conn.execute("SELECT corrected_at FROM corrections WHERE sheet_id = ? "
                                "AND row = ? AND col = ?", (sheet_id, row, col)).fetchone()
            now = max(time.time(), last[0] if last else 0.0)
            values = (sheet_id, row, col, digit, now, who, int(unreadable))
            conn.execute(
                "INSERT INTO corrections (sheet_id, row, col, digit, corrected_at, who, "
                "unreadable) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sheet_id, row, col) "
                "DO UPDATE SET digit = excluded.digit, corrected_at = excluded.corrected_at, "
                "who = excluded.who, unreadable = excluded.unreadable", values)
            conn.execute("INSERT INTO correction_log (sheet_id, row, col, digit, corrected_at, "
                         "who, unreadable) VALUES (?, ?, ?, ?, ?, ?, ?)", values)

    # ---- reading back -----------------------------------------------------------------------
    def results(self, sheet_ids: list[int] | None = None) -> list[dict]:
        """Every stored cell with its prediction and correction, in file/page/row/col order."""
        sql = ("SELECT s.id, s.file, s.page, c.row, c.col, p.digit, p.guess, p.confidence, "
               "p.status, p.reason, k.digit, k.corrected_at IS NOT NULL, cr.path, c.id, "
               "k.unreadable, k.who, k.corrected_at "
               "FROM sheets s JOIN cells c ON c.sheet_id = s.id "
               "JOIN predictions p ON p.cell_id = c.id "
               "LEFT JOIN crops cr ON cr.cell_id = c.id "
               "LEFT JOIN corrections k ON k.sheet_id = s.id AND k.row = c.row AND k.col = c.col "
               "WHERE s.status = 'read' ORDER BY s.file, s.page, c.row, c.col")
        keys = ("sheet_id", "file", "page", "row", "col", "digit", "guess", "confidence",
                "status", "reason", "corrected_digit", "corrected", "crop_path", "cell_id",
                "unreadable", "corrected_by", "corrected_at")
        rows = [dict(zip(keys, r, strict=True)) for r in self.query(sql)]
        if sheet_ids is not None:
            wanted = set(sheet_ids)
            rows = [r for r in rows if r["sheet_id"] in wanted]
        return rows

    def crop_png(self, cell_id: int) -> bytes | None:
        rows = self.query("SELECT png FROM crops WHERE cell_id = ?", (cell_id,))
        return rows[0][0] if rows else None

    def probabilities(self, cell_id: int) -> list[float] | None:
        """The network's ten probabilities for a stored cell (None: no such cell)."""
        rows = self.query("SELECT probabilities FROM predictions WHERE cell_id = ?", (cell_id,))
        return json.loads(rows[0][0]) if rows else None

    def sheet_id(self, sha256: str, page: int) -> int | None:
        rows = self.query("SELECT id FROM sheets WHERE sha256 = ? AND page = ?", (sha256, page))
        return rows[0][0] if rows else None

    def failures(self) -> list[tuple[str, int, str]]:
        return self.query("SELECT file, page, error FROM sheets WHERE status = 'failed' "
                          "ORDER BY file, page")
