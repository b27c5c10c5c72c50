"""The results database (one SQLite file): sheets, cells, crops, network inputs, predictions,
corrections and the history of corrections.

A sheet is identified by the SHA-256 of its file plus the page number, so re-reading a
sheet (also after renaming the file) replaces its predictions but never its corrections,
which are keyed by sheet, row and column. Each page is written in one transaction: a kill
mid-run leaves every page either fully stored or absent. Tables added later (inputs,
correction_log) are created on opening, so a store written by an older braintank opens too.

How a file is recognised as a store, and how an older one is upgraded: store_schema.py.
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
from braintank.sheets.reading.reader import PageReading, encode_png
from braintank.sheets.storing.answers import AnswerConflict, describe_conflict, in_force
from braintank.sheets.storing.labels import BLANK_TEXT, template_texts
from braintank.sheets.storing.sameness import same_page, written_mark
from braintank.sheets.storing.store_schema import (  # noqa: F401  (names others import from here)
    ADDED_COLUMNS,
    APPLICATION_ID,
    INDEXES,
    INPUT_SIDE,
    LEGACY_TABLES,
    SCHEMA,
    SCHEMA_VERSION,
    StoreError,
    _explain,
    _has_required_columns,
    _identify,
)


def storable_text(text: str) -> str:
    """`text` as valid Unicode: a file name with bytes that are not UTF-8 (held by Python as
    lone surrogates, which SQLite refuses) keeps them as visible escapes such as \\udcff."""
    return text.encode("utf-8", errors="backslashreplace").decode("utf-8")


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
            kind = _identify(self.conn, self.path)
            if kind != "store":
                # The mark first: a kill while the tables are made leaves a marked store
                # that the next opening completes, never an unmarked half of one.
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if wal:
                self.conn.execute("PRAGMA journal_mode = WAL")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if kind != "store" or version != SCHEMA_VERSION:  # a current store has it all
                self.conn.executescript(SCHEMA)
                self._add_missing_columns()
                self.conn.execute(INDEXES)
                # The version last: only a store holding every table and column is called
                # current (an earlier version is upgraded in place by the lines above).
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
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
        """Store a page's reading, replacing an earlier one; corrections stay. A page new to
        the store that is the same page as one already read from another file (sameness.py)
        is kept as a 'duplicate' naming that one, whose id is returned: its cells are not
        asked again."""
        crop_paths = crop_paths or {}
        with self.transaction() as conn:
            before = conn.execute("SELECT status FROM sheets WHERE sha256 = ? AND page = ?",
                                  (sha256, page)).fetchone()
            same = None if before is not None and before[0] == "read" else \
                same_page(conn, sha256, page, reading.layout_id, reading)
            if same is not None:
                self._upsert_sheet(conn, sha256, page, file, reading.layout_id, "duplicate",
                                   f"the same page as {same[1]} page {same[2]}, already read "
                                   f"(sheet {same[0]}); not asked again")
                return same[0]
            sheet_id = self._upsert_sheet(conn, sha256, page, file, reading.layout_id,
                                          "read", None)
            conn.execute("UPDATE sheets SET written = ? WHERE id = ?",
                         (written_mark(reading), sheet_id))
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
                who: str | None = None, unreadable: bool = False,
                expected: int | None = None) -> int:
        """Record a person's answer for a cell (`None`: the cell is empty; `unreadable`: the
        person cannot read it either, digit None); the latest answer is the cell's
        correction, and every answer stays in correction_log with who gave it and when.

        `expected`: the cell's version the person saw (answers.py; 0: unanswered). When the
        cell has changed since, nothing is stored and AnswerConflict says what is in force,
        unless it is this very answer (two people agreeing is no conflict). Returns the
        cell's new version."""
        if digit is not None and not (0 <= digit <= 9):
            raise BraintankError(f"a correction is a digit 0-9 or empty, got {digit}")
        if unreadable and digit is not None:
            raise BraintankError("an unreadable cell has no digit")
        who = None if who is None else storable_text(who)
        with self.transaction() as conn:
            current = in_force(conn, sheet_id, row, col)
            if expected is not None and expected != (current.version if current else 0) \
                    and (current is None or (current.digit, current.unreadable)
                         != (digit, unreadable)):
                raise AnswerConflict(describe_conflict(row, col, current), current)
            # One rule: the answer in force is the one logged last. Its time is read under
            # the write lock (never before waiting for it), so log order, time order and the
            # answer kept agree; a clock stepping back cannot put an answer before the last.
            now = max(time.time(), current.at if current else 0.0)
            values = (sheet_id, row, col, digit, now, who, int(unreadable))
            conn.execute(
                "INSERT INTO corrections (sheet_id, row, col, digit, corrected_at, who, "
                "unreadable) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sheet_id, row, col) "
                "DO UPDATE SET digit = excluded.digit, corrected_at = excluded.corrected_at, "
                "who = excluded.who, unreadable = excluded.unreadable", values)
            version = conn.execute("INSERT INTO correction_log (sheet_id, row, col, digit, "
                                   "corrected_at, who, unreadable) VALUES (?, ?, ?, ?, ?, ?, "
                                   "?)", values).lastrowid
            conn.execute("DELETE FROM claims WHERE sheet_id = ? AND row = ? AND col = ?",
                         (sheet_id, row, col))
        return version

    # ---- reading back -----------------------------------------------------------------------
    def results(self, sheet_ids: list[int] | None = None) -> list[dict]:
        """Every stored cell with its prediction and correction, in file/page/row/col order,
        with the template's title and the cell's row and column labels ("" when the store
        does not know the template's text: see labels.py)."""
        sql = ("SELECT s.id, s.file, s.page, c.row, c.col, p.digit, p.guess, p.confidence, "
               "p.status, p.reason, k.digit, k.corrected_at IS NOT NULL, cr.path, c.id, "
               "k.unreadable, k.who, k.corrected_at, s.layout_id "
               "FROM sheets s JOIN cells c ON c.sheet_id = s.id "
               "JOIN predictions p ON p.cell_id = c.id "
               "LEFT JOIN crops cr ON cr.cell_id = c.id "
               "LEFT JOIN corrections k ON k.sheet_id = s.id AND k.row = c.row AND k.col = c.col "
               "WHERE s.status = 'read' ORDER BY s.file, s.page, c.row, c.col")
        keys = ("sheet_id", "file", "page", "row", "col", "digit", "guess", "confidence",
                "status", "reason", "corrected_digit", "corrected", "crop_path", "cell_id",
                "unreadable", "corrected_by", "corrected_at", "layout_id")
        rows = [dict(zip(keys, r, strict=True)) for r in self.query(sql)]
        if sheet_ids is not None:
            wanted = set(sheet_ids)
            rows = [r for r in rows if r["sheet_id"] in wanted]
        texts = template_texts(self)
        for r in rows:
            r.update(texts.get(r["layout_id"], BLANK_TEXT).for_cell(r["row"], r["col"]))
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

    def duplicates(self) -> list[tuple[str, int, str]]:
        """Pages found to be the same as a page already read: (file, page, which one)."""
        return self.query("SELECT file, page, error FROM sheets WHERE status = 'duplicate' "
                          "ORDER BY file, page")
