"""The digits people confirmed or corrected in a store, as training examples for finetune.

A cell is a labeled example when its latest correction is a digit 0-9 (review's Enter stores
the model's guess as the correction, so a confirmed guess counts like a typed digit) and the
store kept the 28x28 image the network judged for it. Every other corrected cell is counted
by the reason it cannot be used, so nothing is dropped silently. A cell answered with
different digits over time (two people reviewing at once) is a conflict: the latest answer
is the one used, and each conflict is listed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from braintank.sheets.storing.store import INPUT_SIDE, SheetStore, StoreError

CellKey = tuple[str, int, int, int]  # file, page, row, col


@dataclass(frozen=True)
class Conflict:
    """A cell given different answers; `answers` in the order given (None = empty)."""

    cell: CellKey
    answers: tuple[int | None, ...]

    def describe(self) -> str:
        file, page, row, col = self.cell
        said = ", then ".join("empty" if a is None else str(a) for a in self.answers)
        return f"{file} page {page} row {row} col {col}: {said}"


@dataclass
class LabeledCells:
    images: np.ndarray  # uint8 [N, 28, 28], ink = 255 (MNIST convention)
    labels: np.ndarray  # int64 [N]
    cells: list[CellKey]
    answered_at: list[float] = field(default_factory=list)  # time of each example's answer
    corrected_empty: int = 0  # the person said the cell is empty: not a digit
    without_input: int = 0  # page read before braintank kept network inputs
    not_single_mark: int = 0  # several marks, a dash, too faint: the network never judged it
    cell_missing: int = 0  # the correction names a cell the page, as read now, does not have
    conflicts: list[Conflict] = field(default_factory=list)

    def unused(self) -> dict[str, int]:
        """Corrected cells that are not examples, by reason (only reasons that occur)."""
        counts = {"corrected to empty": self.corrected_empty,
                  "no stored network input (page read before braintank kept them; "
                  "`braintank sheet read --reread` stores them)": self.without_input,
                  "several marks or too faint for the network to judge alone":
                      self.not_single_mark,
                  "no such cell on the page as read now": self.cell_missing}
        return {reason: n for reason, n in counts.items() if n}


def _image(blob: bytes, store: SheetStore) -> np.ndarray:
    if not isinstance(blob, bytes) or len(blob) != INPUT_SIDE * INPUT_SIDE:
        size = len(blob) if isinstance(blob, bytes) else type(blob).__name__
        raise StoreError(f"{store.path}: a stored network input holds {size} bytes, not "
                         f"{INPUT_SIDE * INPUT_SIDE} (damaged database)")
    return np.frombuffer(blob, np.uint8).reshape(INPUT_SIDE, INPUT_SIDE)


def labeled_cells(store: SheetStore) -> LabeledCells:
    """Every corrected cell of the store's read pages, as examples or counted as unused;
    in file-content order (SHA-256, page, row, col), so the same store gives the same list."""
    has_inputs = store.has_table("inputs")
    input_columns = "i.cell_id IS NOT NULL, i.image" if has_inputs else "0, NULL"
    input_join = "LEFT JOIN inputs i ON i.cell_id = c.id" if has_inputs else ""
    rows = store.query(
        f"SELECT s.file, s.page, k.row, k.col, k.digit, c.id IS NOT NULL, {input_columns}, "
        "k.corrected_at "
        "FROM corrections k JOIN sheets s ON s.id = k.sheet_id "
        "LEFT JOIN cells c ON c.sheet_id = k.sheet_id AND c.row = k.row AND c.col = k.col "
        f"{input_join} WHERE s.status = 'read' ORDER BY s.sha256, s.page, k.row, k.col")
    result = LabeledCells(np.zeros((0, INPUT_SIDE, INPUT_SIDE), np.uint8),
                          np.zeros(0, np.int64), [])
    images, labels = [], []
    for file, page, row, col, digit, has_cell, has_input, blob, at in rows:
        if digit is None:
            result.corrected_empty += 1
        elif not has_cell:
            result.cell_missing += 1
        elif not has_input:
            result.without_input += 1
        elif blob is None:
            result.not_single_mark += 1
        elif isinstance(digit, int) and 0 <= digit <= 9:
            images.append(_image(blob, store))
            labels.append(digit)
            result.cells.append((file, page, row, col))
            result.answered_at.append(at)
        else:
            raise StoreError(f"{store.path}: a correction holds {digit!r}, not a digit "
                             "(damaged database)")
    if images:
        result.images = np.stack(images)
        result.labels = np.array(labels, np.int64)
    result.conflicts = conflicts(store)
    return result


def conflicts(store: SheetStore) -> list[Conflict]:
    """Cells whose logged answers differ (the latest is the correction in force); answers
    taken back (undo) do not count."""
    if not store.has_table("correction_log"):
        return []
    columns = {row[1] for row in store.query("PRAGMA table_info(correction_log)")}
    standing = "WHERE l.undone_at IS NULL " if "undone_at" in columns else ""  # taken back
    rows = store.query(
        "SELECT s.file, s.page, l.row, l.col, l.digit FROM correction_log l "
        f"JOIN sheets s ON s.id = l.sheet_id {standing}"
        "ORDER BY s.sha256, s.page, l.row, l.col, l.corrected_at, l.id")
    answers: dict[CellKey, list[int | None]] = defaultdict(list)
    for file, page, row, col, digit in rows:
        answers[(file, page, row, col)].append(digit)
    return [Conflict(cell, tuple(a for i, a in enumerate(said) if i == 0 or said[i - 1] != a))
            for cell, said in answers.items() if len(set(said)) > 1]
