"""The same page read again from another file (a PDF holding a photo already uploaded, a
second photo of the same paper): found by what was written, so its cells are not asked again.

A page's `written` mark is one character per box (1: ink, 0: empty), kept with the sheet.
Pages of the same template whose marks nearly agree are compared box by box on the 28x28
images the network judged. Measured on simulated 7x7 sheets (40 written boxes): the same
photo re-encoded or wrapped in a PDF differs by a median 0.0004-0.0014 per pixel (largest
box 0.08), the same paper photographed twice by 0.013 (largest 0.08), a different sheet by
0.15; the limits below sit far from both.
"""

from __future__ import annotations

import sqlite3

import numpy as np

from braintank.sheets.reading.reader import PageReading

MEDIAN_LIMIT = 0.04   # mean absolute difference per pixel (0-1), median over the boxes
MOST_LIMIT = 0.08     # ... and at most this for 80% of the boxes
MIN_COMPARED = 3      # fewer written boxes than this prove nothing
INPUT_SIDE = 28


def written_mark(reading: PageReading) -> str:
    cells = sorted(reading.cells, key=lambda c: (c.row, c.col))
    return "".join("0" if c.status == "empty" else "1" for c in cells)


def _close_marks(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    apart = sum(x != y for x, y in zip(a, b, strict=True))
    return apart <= max(2, len(a) // 20)


def same_page(conn: sqlite3.Connection, sha256: str, page: int, layout_id: str,
              reading: PageReading) -> tuple[int, str, int] | None:
    """(sheet id, file, page) of a page already read that this reading is the same page as,
    or None."""
    mark = written_mark(reading)
    mine = {(c.row, c.col): c.input28 for c in reading.cells if c.input28 is not None}
    if mark.count("1") < MIN_COMPARED or len(mine) < MIN_COMPARED:
        return None
    candidates = conn.execute("SELECT id, file, page, written FROM sheets WHERE status = "
                              "'read' AND layout_id = ? AND written IS NOT NULL AND NOT "
                              "(sha256 = ? AND page = ?) ORDER BY id",
                              (layout_id, sha256, page)).fetchall()
    for sheet_id, file, their_page, written in candidates:
        if _close_marks(mark, written) and _same_images(conn, sheet_id, mine):
            return sheet_id, file, their_page
    return None


def _same_images(conn: sqlite3.Connection, sheet_id: int,
                 mine: dict[tuple[int, int], np.ndarray]) -> bool:
    theirs = conn.execute("SELECT c.row, c.col, i.image FROM cells c JOIN inputs i ON "
                          "i.cell_id = c.id WHERE c.sheet_id = ? AND i.image IS NOT NULL",
                          (sheet_id,)).fetchall()
    gaps = []
    for row, col, blob in theirs:
        image = mine.get((row, col))
        if image is None or len(blob) != INPUT_SIDE * INPUT_SIDE:
            continue
        stored = np.frombuffer(blob, np.uint8).reshape(INPUT_SIDE, INPUT_SIDE) / 255.0
        gaps.append(float(np.abs(stored - np.asarray(image, np.float32)).mean()))
    if len(gaps) < MIN_COMPARED or len(gaps) < 0.8 * len(mine):
        return False
    return float(np.median(gaps)) < MEDIAN_LIMIT and float(np.percentile(gaps, 80)) < MOST_LIMIT
