"""The results database's schema and how a file is recognised as one.

A store is marked in the SQLite header (PRAGMA application_id and user_version) when it is
created. Any other SQLite file is refused before anything is written to it, except a store
of an older braintank (no mark, exactly braintank's tables), which is marked once. A store of
an earlier schema version is upgraded in place on opening: tables and columns added since
are created (nothing is rewritten), then user_version is raised.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from braintank.errors import BraintankError

SCHEMA = """
CREATE TABLE IF NOT EXISTS sheets (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    page INTEGER NOT NULL,
    file TEXT NOT NULL,
    layout_id TEXT,
    status TEXT NOT NULL,            -- read | failed | duplicate | deleted
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
CREATE TABLE IF NOT EXISTS layouts (  -- a template's printed text, by the code on its pages
    layout_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    row_labels TEXT NOT NULL,        -- JSON list, one per row from row 1
    col_labels TEXT NOT NULL,
    saved_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (  -- a reviewer's short hold on a queued cell
    sheet_id INTEGER NOT NULL,
    row INTEGER NOT NULL,
    col INTEGER NOT NULL,
    who TEXT NOT NULL,
    until REAL NOT NULL,
    PRIMARY KEY (sheet_id, row, col)
);
"""

# Made after the tables (stores of the first braintanks had no index of their own, which is
# how an unmarked one is told from another program's file): a cell's answers found at once.
INDEXES = "CREATE INDEX IF NOT EXISTS correction_log_cell ON correction_log (sheet_id, row, col)"

# Columns added after the first stores were written: added on opening when missing. `who`
# names the reviewer; `unreadable` marks an answer "a person cannot read this cell either";
# `undone_at`: the reviewer took the answer back (it stays in the log, no longer in force);
# `written`: which boxes of a page hold ink, to find the same page read from another file.
ADDED_COLUMNS = {
    "corrections": (("who", "TEXT"), ("unreadable", "INTEGER NOT NULL DEFAULT 0")),
    "correction_log": (("who", "TEXT"), ("unreadable", "INTEGER NOT NULL DEFAULT 0"),
                       ("undone_at", "REAL")),
    "sheets": (("written", "TEXT"),),
}

# The mark in the SQLite header: "BTKS" (braintank sheets), and the schema version.
APPLICATION_ID = 0x42544B53
# 1: the first marked stores; 2: layouts, claims, undone answers, duplicate and deleted pages.
SCHEMA_VERSION = 2
TABLES = frozenset({"sheets", "cells", "crops", "predictions", "corrections", "inputs",
                    "correction_log", "layouts", "claims"})
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
