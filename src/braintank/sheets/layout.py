"""Sheet geometry: where the markers, the layout code and the cells sit on a 300-dpi page.

The geometry depends only on (rows, cols), so a scan whose printed code says "12 x 8" can be
read without its layout.json; titles and labels only change the printed text (and the variant
number in the code, which lets the reader tell two templates of the same size apart).
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from braintank.errors import BraintankError

DPI = 300
PAGE_A4 = (2480, 3508)
PAGE_LETTER = (2550, 3300)
# Everything is drawn inside the part of the page common to A4 and Letter.
CONTENT = (2480, 3300)
CONTENT_ORIGIN_A4 = (0, (PAGE_A4[1] - CONTENT[1]) // 2)
CONTENT_ORIGIN_LETTER = ((PAGE_LETTER[0] - CONTENT[0]) // 2, 0)

MARKER_SIZE = 150
MARKER_INSET = 130
# ArUco ids of the top-left, top-right, bottom-right and bottom-left markers.
MARKER_IDS = (11, 22, 33, 44)

CODE_BITS = 26
CODE_CELL = 44
CODE_Y = CONTENT[1] - MARKER_INSET - CODE_CELL - 53
MAX_ROWS = 30
MAX_COLS = 16
LINE_WIDTH = 4
LINE_GREY = 120


@dataclass(frozen=True)
class Cell:
    """One writing box (row and col from 1); `box` is the outer edge of its printed frame."""

    row: int
    col: int
    box: tuple[int, int, int, int]


@dataclass
class Layout:
    """A template's geometry in the pixel frame of its 300-dpi A4 PNG."""

    rows: int
    cols: int
    variant: int = 0
    title: str = ""
    row_labels: list[str] = field(default_factory=list)
    col_labels: list[str] = field(default_factory=list)
    dpi: int = DPI
    page_px: tuple[int, int] = PAGE_A4
    cells: list[Cell] = field(default_factory=list)
    markers: dict[int, list[list[float]]] = field(default_factory=dict)

    @property
    def layout_id(self) -> str:
        return f"{self.rows}x{self.cols}-{self.variant:02x}"

    def to_json(self) -> str:
        data = {
            "dpi": self.dpi,
            "page_px": list(self.page_px),
            "layout_id": self.layout_id,
            "rows": self.rows,
            "cols": self.cols,
            "variant": self.variant,
            "title": self.title,
            "row_labels": self.row_labels,
            "col_labels": self.col_labels,
            "markers": [{"id": k, "corners": v} for k, v in sorted(self.markers.items())],
            "cells": [{"row": c.row, "col": c.col, "box": list(c.box)} for c in self.cells],
        }
        return json.dumps(data, indent=1)


def check_size(rows: int, cols: int) -> None:
    """Reject grids that cannot be printed with writable boxes."""
    if not (1 <= rows <= MAX_ROWS) or not (1 <= cols <= MAX_COLS):
        raise BraintankError(f"a sheet holds 1-{MAX_ROWS} rows and 1-{MAX_COLS} columns, "
                             f"got {rows} x {cols}")


def variant_of(title: str, row_labels: list[str], col_labels: list[str]) -> int:
    """A byte derived from the printed text, so same-size templates can be told apart."""
    text = "\x1f".join([title, *row_labels, "\x1e", *col_labels])
    return zlib.crc32(text.encode("utf-8")) & 0xFF


def marker_corners(origin: tuple[int, int] = CONTENT_ORIGIN_A4) -> dict[int, list[list[float]]]:
    """Corners (TL, TR, BR, BL, ArUco order) of each marker, in page pixels."""
    ox, oy = origin
    far_x = CONTENT[0] - MARKER_INSET - MARKER_SIZE
    far_y = CONTENT[1] - MARKER_INSET - MARKER_SIZE
    spots = [(MARKER_INSET, MARKER_INSET), (far_x, MARKER_INSET), (far_x, far_y),
             (MARKER_INSET, far_y)]
    out = {}
    for marker_id, (x, y) in zip(MARKER_IDS, spots, strict=True):
        x, y, s = x + ox, y + oy, MARKER_SIZE
        out[marker_id] = [[x, y], [x + s, y], [x + s, y + s], [x, y + s]]
    return out


def code_boxes(origin: tuple[int, int] = CONTENT_ORIGIN_A4) -> list[tuple[int, int, int, int]]:
    """Squares of the printed layout code, one per bit, centred between the bottom markers."""
    ox, oy = origin
    x0 = (CONTENT[0] - CODE_BITS * CODE_CELL) // 2 + ox
    y0 = CODE_Y + oy
    return [(x0 + i * CODE_CELL, y0, x0 + (i + 1) * CODE_CELL, y0 + CODE_CELL)
            for i in range(CODE_BITS)]


def grid_cells(rows: int, cols: int, origin: tuple[int, int] = CONTENT_ORIGIN_A4) -> list[Cell]:
    """Cell boxes: square boxes with gaps, leaving room for labels on the left and top."""
    check_size(rows, cols)
    ox, oy = origin
    left = MARKER_INSET + 230
    right = CONTENT[0] - MARKER_INSET - 40
    top = MARKER_INSET + MARKER_SIZE + 140
    bottom = CODE_Y - 90
    pitch = min((right - left) / cols, (bottom - top) / rows, 300.0)
    gap = round(pitch * 0.2)
    size = round(pitch) - gap
    x_start = left + ((right - left) - (cols * round(pitch) - gap)) // 2
    cells = []
    for r in range(rows):
        for c in range(cols):
            x0 = ox + x_start + c * round(pitch)
            y0 = oy + top + r * round(pitch)
            cells.append(Cell(r + 1, c + 1, (x0, y0, x0 + size, y0 + size)))
    return cells


def make_layout(rows: int, cols: int, title: str = "", row_labels: list[str] | None = None,
                col_labels: list[str] | None = None) -> Layout:
    """The full layout of a new template."""
    check_size(rows, cols)
    row_labels = list(row_labels or [])
    col_labels = list(col_labels or [])
    for name, labels, n in (("row", row_labels, rows), ("column", col_labels, cols)):
        if labels and len(labels) != n:
            raise BraintankError(f"{len(labels)} {name} labels given for {n} {name}s")
    return Layout(rows=rows, cols=cols, variant=variant_of(title, row_labels, col_labels),
                  title=title, row_labels=row_labels, col_labels=col_labels,
                  cells=grid_cells(rows, cols), markers=marker_corners())


def layout_for_code(rows: int, cols: int, variant: int) -> Layout:
    """The geometry implied by a scanned code, when no layout.json was given."""
    return Layout(rows=rows, cols=cols, variant=variant, cells=grid_cells(rows, cols),
                  markers=marker_corners())


def load_layout(path: str | os.PathLike) -> Layout:
    """Read a layout.json written by `braintank sheet template`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        markers = {int(m["id"]): [[float(v) for v in p] for p in m["corners"]]
                   for m in data["markers"]}
        cells = [Cell(int(c["row"]), int(c["col"]), tuple(int(v) for v in c["box"]))
                 for c in data["cells"]]
        layout = Layout(rows=int(data["rows"]), cols=int(data["cols"]),
                        variant=int(data["variant"]), title=str(data.get("title", "")),
                        row_labels=list(data.get("row_labels", [])),
                        col_labels=list(data.get("col_labels", [])), dpi=int(data["dpi"]),
                        page_px=tuple(int(v) for v in data["page_px"]), cells=cells,
                        markers=markers)
    except FileNotFoundError:
        raise BraintankError(f"{path}: layout file not found") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BraintankError(f"{path}: not a braintank layout.json ({exc})") from None
    if set(layout.markers) != set(MARKER_IDS) or not layout.cells:
        raise BraintankError(f"{path}: not a braintank layout.json (markers or cells missing)")
    return layout
