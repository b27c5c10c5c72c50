"""People's answers beyond "store this one": what is in force, take one back, the history of a
cell, a short claim on queued cells so reviewers working at once get different ones, and
deleting a sheet without losing what was answered on it.

The answer in force for a cell is the latest one in correction_log that was not undone;
`corrections` holds a copy of it. A cell's version is the log id of that answer (0: none),
so a page that shows a cell can say which state it showed, and an answer given to a cell
that has changed since is refused (store.SheetStore.correct, `expected`).
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from braintank.errors import BraintankError

if TYPE_CHECKING:
    from braintank.sheets.storing.store import SheetStore

# How long a reviewer holds the cells handed to them: long enough to look at a few, short
# enough that cells of someone who walked away come back to the others within minutes.
CLAIM_SECONDS = 120.0
MAX_CLAIM = 50


@dataclass(frozen=True)
class InForce:
    """The answer in force for a cell: digit (None: empty or unreadable), who, when."""

    version: int
    digit: int | None
    unreadable: bool
    who: str | None
    at: float

    def answer(self) -> str:
        return "unreadable" if self.unreadable else "empty" if self.digit is None \
            else str(self.digit)

    def to_dict(self) -> dict:
        return {"version": self.version, "answer": self.answer(), "who": self.who,
                "at": self.at}


class AnswerConflict(BraintankError):
    """The cell changed after the person saw it: nothing was stored; `current` is what is in
    force now (None: the answer seen was taken back and the cell has none)."""

    def __init__(self, message: str, current: InForce | None) -> None:
        super().__init__(message)
        self.current = current


class NotFound(BraintankError):
    """No such sheet, cell or answer (the web app answers 404)."""


class SheetGone(BraintankError):
    """The sheet was deleted (the web app answers 410)."""


def in_force(conn: sqlite3.Connection, sheet_id: int, row: int, col: int) -> InForce | None:
    found = conn.execute("SELECT digit, unreadable, who, corrected_at FROM corrections "
                         "WHERE sheet_id = ? AND row = ? AND col = ?",
                         (sheet_id, row, col)).fetchone()
    if found is None:
        return None
    logged = conn.execute("SELECT max(id) FROM correction_log WHERE sheet_id = ? AND row = ? "
                          "AND col = ? AND undone_at IS NULL", (sheet_id, row, col)).fetchone()
    return InForce(logged[0] or 0, found[0], bool(found[1]), found[2], found[3])


def describe_conflict(row: int, col: int, current: InForce | None) -> str:
    if current is None:
        return (f"row {row}, column {col} changed after this page showed it: its answer was "
                f"taken back; look at it again")
    who = current.who or "someone"
    return (f"row {row}, column {col} was answered {current.answer()} by {who} after this page "
            f"showed it; your answer was not saved")


def _restore(conn: sqlite3.Connection, sheet_id: int, row: int, col: int) -> None:
    """corrections := the latest answer not taken back (none: the cell is unanswered)."""
    latest = conn.execute("SELECT digit, corrected_at, who, unreadable FROM correction_log "
                          "WHERE sheet_id = ? AND row = ? AND col = ? AND undone_at IS NULL "
                          "ORDER BY id DESC LIMIT 1", (sheet_id, row, col)).fetchone()
    if latest is None:
        conn.execute("DELETE FROM corrections WHERE sheet_id = ? AND row = ? AND col = ?",
                     (sheet_id, row, col))
        return
    conn.execute("INSERT INTO corrections (sheet_id, row, col, digit, corrected_at, who, "
                 "unreadable) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sheet_id, row, col) "
                 "DO UPDATE SET digit = excluded.digit, corrected_at = excluded.corrected_at, "
                 "who = excluded.who, unreadable = excluded.unreadable",
                 (sheet_id, row, col, *latest))


def undo_last(store: SheetStore, who: str) -> dict:
    """Take back `who`'s latest answer still standing: it stays in the log marked undone, and
    the cell returns to the answer before it (or to the queue). When someone else answered
    the cell since, theirs stays in force (said in `in_force`). NotFound: nothing to undo."""
    with store.transaction() as conn:
        last = conn.execute("SELECT l.id, l.sheet_id, l.row, l.col, l.digit, l.unreadable "
                            "FROM correction_log l JOIN sheets s ON s.id = l.sheet_id "
                            "WHERE l.who = ? AND l.undone_at IS NULL AND s.status = 'read' "
                            "ORDER BY l.id DESC LIMIT 1", (who,)).fetchone()
        if last is None:
            raise NotFound(f"{who} has no answer left to undo")
        log_id, sheet_id, row, col, digit, unreadable = last
        conn.execute("UPDATE correction_log SET undone_at = ? WHERE id = ?",
                     (time.time(), log_id))
        _restore(conn, sheet_id, row, col)
        now = in_force(conn, sheet_id, row, col)
    taken = InForce(log_id, digit, bool(unreadable), who, 0.0).answer()
    return {"sheet_id": sheet_id, "row": row, "col": col, "undone": taken,
            "in_force": None if now is None else now.to_dict(),
            "version": 0 if now is None else now.version}


def history(store: SheetStore, sheet_id: int) -> dict[tuple[int, int], list[dict]]:
    """Every answer given on a sheet, per cell, oldest first, with who, when and whether it
    was taken back."""
    rows = store.query("SELECT row, col, id, digit, unreadable, who, corrected_at, undone_at "
                       "FROM correction_log WHERE sheet_id = ? ORDER BY id", (sheet_id,))
    cells: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row, col, log_id, digit, unreadable, who, at, undone in rows:
        answer = InForce(log_id, digit, bool(unreadable), who, at).answer()
        cells[(row, col)].append({"id": log_id, "answer": answer, "who": who, "at": at,
                                  "undone": undone is not None})
    return cells


_QUEUE_SQL = (
    "SELECT s.id, s.file, s.page, c.row, c.col, c.id, p.guess, p.confidence, p.reason, "
    "p.probabilities, cl.who FROM sheets s JOIN cells c ON c.sheet_id = s.id "
    "JOIN predictions p ON p.cell_id = c.id "
    "LEFT JOIN corrections k ON k.sheet_id = s.id AND k.row = c.row AND k.col = c.col "
    "LEFT JOIN claims cl ON cl.sheet_id = s.id AND cl.row = c.row AND cl.col = c.col "
    "WHERE s.status = 'read' AND p.status = 'review' AND k.sheet_id IS NULL "
    "ORDER BY s.file, s.page, c.row, c.col")
_QUEUE_KEYS = ("sheet_id", "file", "page", "row", "col", "cell_id", "guess", "confidence",
               "reason", "probabilities", "claimed_by")


def claim(store: SheetStore, who: str, count: int, sheet_ids: list[int] | None = None,
          skip: set[tuple[int, int, int]] = frozenset(),
          have: set[tuple[int, int, int]] = frozenset()) -> dict:
    """Hand `who` up to `count` unanswered review cells nobody else holds (theirs included, so
    a reloaded page gets its cells back), in file/page/row/col order, held for CLAIM_SECONDS.
    Cells (sheet, row, col) in `skip` (skipped) are let go and not handed out; those in `have`
    (the page has them, maybe answered with the answer still on its way) are not handed out
    again. Also says how many are left (`have` not counted: the page counts its own answers)
    and who holds the rest."""
    now = time.time()
    with store.transaction() as conn:
        conn.execute("DELETE FROM claims WHERE until < ?", (now,))
        for sheet_id, row, col in skip:
            conn.execute("DELETE FROM claims WHERE sheet_id = ? AND row = ? AND col = ? AND "
                         "who = ?", (sheet_id, row, col, who))
        wanted = None if not sheet_ids else set(sheet_ids)
        queue = [dict(zip(_QUEUE_KEYS, r, strict=True)) for r in conn.execute(_QUEUE_SQL)
                 if wanted is None or r[0] in wanted]
        free = [q for q in queue if (q["sheet_id"], q["row"], q["col"]) not in skip | have
                and q["claimed_by"] in (None, who)]
        mine = free[:max(0, min(count, MAX_CLAIM))]
        for q in mine:
            conn.execute("INSERT INTO claims (sheet_id, row, col, who, until) VALUES "
                         "(?, ?, ?, ?, ?) ON CONFLICT (sheet_id, row, col) DO UPDATE SET "
                         "who = excluded.who, until = excluded.until",
                         (q["sheet_id"], q["row"], q["col"], who, now + CLAIM_SECONDS))
    others = sorted({q["claimed_by"] for q in queue if q["claimed_by"] not in (None, who)})
    held = sum(q["claimed_by"] not in (None, who) for q in queue)
    left = sum((q["sheet_id"], q["row"], q["col"]) not in have for q in queue)
    return {"items": mine, "left": left, "held_by_others": held, "others": others,
            "skipped": sum((q["sheet_id"], q["row"], q["col"]) in skip for q in queue)}


def delete_sheet(store: SheetStore, sheet_id: int, who: str) -> dict:
    """Take a sheet out of the results: its cells, readings and crops go; its answers stay
    (in force and in the log), so reading the same page again brings them back."""
    with store.transaction() as conn:
        found = conn.execute("SELECT file, page, status FROM sheets WHERE id = ?",
                             (sheet_id,)).fetchone()
        if found is None or found[2] not in ("read", "duplicate"):
            raise NotFound(f"no sheet {sheet_id}" + (" (already deleted)" if found else ""))
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime())
        conn.execute("UPDATE sheets SET status = 'deleted', error = ? WHERE id = ?",
                     (f"deleted by {who} at {when}", sheet_id))
        conn.execute("DELETE FROM cells WHERE sheet_id = ?", (sheet_id,))
        conn.execute("DELETE FROM claims WHERE sheet_id = ?", (sheet_id,))
        kept = conn.execute("SELECT count(*) FROM correction_log WHERE sheet_id = ?",
                            (sheet_id,)).fetchone()[0]
    return {"deleted": sheet_id, "file": found[0], "page": found[1], "answers_kept": kept}


def check_answerable(conn: sqlite3.Connection, sheet_id: int, row: int, col: int) -> None:
    """NotFound for a cell that does not exist, SheetGone for one on a deleted sheet."""
    found = conn.execute("SELECT s.status, s.error, NULL, s.page, c.id FROM sheets s "
                         "LEFT JOIN cells c ON c.sheet_id = s.id AND c.row = ? AND c.col = ? "
                         "WHERE s.id = ?", (row, col, sheet_id)).fetchone()
    if found is not None and found[0] == "deleted":
        raise SheetGone(f"sheet {sheet_id} (page {found[3]} of its file) was {found[1]}; "
                        f"answers to it are no longer taken")
    if found is None or found[0] != "read" or found[4] is None:
        raise NotFound(f"no cell at sheet {sheet_id} row {row} col {col}")
