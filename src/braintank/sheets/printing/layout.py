"""Sheet geometry: where the markers, the layout code and the cells sit on a 300-dpi page.

The geometry depends only on (rows, cols), so a scan whose printed code says "12 x 8" can be
read without its layout.json; titles and labels only change the printed text (and the variant
number in the code, which lets the reader tell two templates of the same size apart).
"""

from __future__ import annotations

import json
import math
import os
import stat
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

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
# Template text: hard caps (what fits is measured when drawing) and the Unicode categories
# refused in it: control and format characters (newline, tab, NUL, bidi overrides, zero-width
# marks), surrogates, and line or paragraph separators.
MAX_TITLE_CHARS = 100
MAX_LABEL_CHARS = 40
NOT_PRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


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
    if type(rows) is not int or type(cols) is not int:
        raise BraintankError(f"rows and columns must be whole numbers, got {rows!r} x {cols!r}")
    if not (1 <= rows <= MAX_ROWS) or not (1 <= cols <= MAX_COLS):
        raise BraintankError(f"a sheet holds 1-{MAX_ROWS} rows and 1-{MAX_COLS} columns, "
                             f"got {rows} x {cols}")


def check_text(what: str, text: str, limit: int) -> None:
    """Refuse text that is not one printable line of at most `limit` characters.

    The limits are far above what fits on the page (template.check_text_fits measures that
    with the font); they only refuse absurd input at once, before anything is drawn.
    """
    if not isinstance(text, str):
        raise BraintankError(f"{what} must be text, got {type(text).__name__}")
    if len(text) > limit:
        raise BraintankError(f"{what} is {len(text)} characters long; at most {limit} "
                             f"(and only as many as fit on the page)")
    for char in text:
        if unicodedata.category(char) in NOT_PRINTABLE:
            raise BraintankError(f"{what} contains a control character (U+{ord(char):04X}); "
                                 f"use one line of printable text")


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
        for number, label in enumerate(labels, 1):
            check_text(f"{name} label {number}", label, MAX_LABEL_CHARS)
    check_text("the title", title, MAX_TITLE_CHARS)
    return Layout(rows=rows, cols=cols, variant=variant_of(title, row_labels, col_labels),
                  title=title, row_labels=row_labels, col_labels=col_labels,
                  cells=grid_cells(rows, cols), markers=marker_corners())


def layout_for_code(rows: int, cols: int, variant: int) -> Layout:
    """The geometry implied by a scanned code, when no layout.json was given."""
    return Layout(rows=rows, cols=cols, variant=variant, cells=grid_cells(rows, cols),
                  markers=marker_corners())


# A 30 x 16 layout.json is about 60 kB; anything far larger is not one.
MAX_LAYOUT_BYTES = 2_000_000
# Smaller boxes than this cannot hold a handwritten digit (a 30-row sheet's are 68 px).
MIN_BOX_PX = 32


class _Invalid(ValueError):
    """What is wrong with a layout.json's content, in a few words."""


def load_layout(path: str | os.PathLike) -> Layout:
    """Read a layout.json written by `braintank sheet template`, checking every field.

    The file comes from outside: boxes off the page, empty or overlapping boxes, counts that
    disagree, wrong types, NaN or huge numbers are refused here with one line, rather than
    failing (or misreading) later in the reader.
    """
    path = Path(path)
    text = _read_layout_text(path)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise BraintankError(f"{path}: not a braintank layout.json (nested too deeply)"
                             ) from None
    except ValueError as exc:
        raise BraintankError(f"{path}: not a braintank layout.json (not JSON: "
                             f"{_short(str(exc))})") from None
    try:
        return _parse_layout(data)
    except _Invalid as exc:
        raise BraintankError(f"{path}: not a braintank layout.json ({exc})") from None


def _read_layout_text(path: Path) -> str:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BraintankError(f"{path}: layout file not found") from None
    except OSError as exc:
        raise BraintankError(f"{path}: cannot read the layout file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a folder cannot be read
        raise BraintankError(f"{path}: the layout is not a regular file")
    if info.st_size > MAX_LAYOUT_BYTES:
        raise BraintankError(f"{path}: not a braintank layout.json ({info.st_size} bytes, "
                             f"over {MAX_LAYOUT_BYTES})")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise BraintankError(f"{path}: not a braintank layout.json (not UTF-8 text)") from None
    except OSError as exc:
        raise BraintankError(f"{path}: cannot read the layout file ({exc.strerror})") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _field(data: dict, key: str, kind: type, default=None):
    if key not in data:
        if default is not None:
            return default
        raise _Invalid(f"'{key}' is missing")
    value = data[key]
    if kind is int:
        if type(value) is not int:
            raise _Invalid(f"'{key}' must be an integer, got {_short(repr(value))}")
    elif not isinstance(value, kind):
        raise _Invalid(f"'{key}' must be a {kind.__name__}, got {_short(repr(value))}")
    return value


def _int_in(data: dict, key: str, low: int, high: int) -> int:
    value = _field(data, key, int)
    if not low <= value <= high:
        raise _Invalid(f"'{key}' must be from {low} to {high}, got {_short(str(value))}")
    return value


def _labels(data: dict, key: str, count: int) -> list[str]:
    labels = _field(data, key, list, default=[])
    if not all(isinstance(label, str) for label in labels):
        raise _Invalid(f"'{key}' must be a list of text")
    if labels and len(labels) != count:
        raise _Invalid(f"{len(labels)} {key} for {count}")
    return labels


def _parse_layout(data: object) -> Layout:
    if not isinstance(data, dict):
        raise _Invalid("the top level must be a JSON object")
    if _field(data, "dpi", int) != DPI:
        raise _Invalid(f"'dpi' must be {DPI}")
    page_px = _field(data, "page_px", list)
    if page_px != list(PAGE_A4) or not all(type(v) is int for v in page_px):
        raise _Invalid(f"'page_px' must be {list(PAGE_A4)}, the A4 frame the reader uses")
    rows = _int_in(data, "rows", 1, MAX_ROWS)
    cols = _int_in(data, "cols", 1, MAX_COLS)
    variant = _int_in(data, "variant", 0, 255)
    layout = Layout(rows=rows, cols=cols, variant=variant,
                    title=_field(data, "title", str, default=""),
                    row_labels=_labels(data, "row_labels", rows),
                    col_labels=_labels(data, "col_labels", cols),
                    markers=_parse_markers(_field(data, "markers", list)),
                    cells=_parse_cells(_field(data, "cells", list), rows, cols))
    if "layout_id" in data and data["layout_id"] != layout.layout_id:
        raise _Invalid(f"'layout_id' {_short(repr(data['layout_id']))} does not match "
                       f"rows, cols and variant ({layout.layout_id})")
    return layout


def _inside_page(x: float, y: float) -> bool:
    return 0 <= x <= PAGE_A4[0] and 0 <= y <= PAGE_A4[1]


def _parse_markers(items: list) -> dict[int, list[list[float]]]:
    markers: dict[int, list[list[float]]] = {}
    for item in items:
        if not isinstance(item, dict):
            raise _Invalid("each marker must be an object with 'id' and 'corners'")
        marker_id = _field(item, "id", int)
        corners = _field(item, "corners", list)
        if marker_id not in MARKER_IDS or marker_id in markers:
            raise _Invalid(f"marker ids must be {list(MARKER_IDS)}, each once")
        ok = len(corners) == 4 and all(
            isinstance(p, list) and len(p) == 2
            and all(type(v) in (int, float) and math.isfinite(v) for v in p)
            and _inside_page(*p) for p in corners)
        if not ok:
            raise _Invalid(f"marker {marker_id} needs 4 corners [x, y] on the page")
        markers[marker_id] = [[float(v) for v in p] for p in corners]
    if set(markers) != set(MARKER_IDS):
        raise _Invalid(f"marker ids must be {list(MARKER_IDS)}, each once")
    return markers


def _parse_cells(items: list, rows: int, cols: int) -> list[Cell]:
    if len(items) != rows * cols:
        raise _Invalid(f"{len(items)} cells for {rows} x {cols}")
    cells, seen = [], set()
    for item in items:
        if not isinstance(item, dict):
            raise _Invalid("each cell must be an object with 'row', 'col' and 'box'")
        row, col = _int_in(item, "row", 1, rows), _int_in(item, "col", 1, cols)
        if (row, col) in seen:
            raise _Invalid(f"cell row {row} col {col} appears twice")
        seen.add((row, col))
        box = _field(item, "box", list)
        if len(box) != 4 or not all(type(v) is int for v in box):
            raise _Invalid(f"cell row {row} col {col}: 'box' must be 4 integers")
        x0, y0, x1, y1 = box
        if not (_inside_page(x0, y0) and _inside_page(x1, y1)):
            raise _Invalid(f"cell row {row} col {col}: box {_short(str(box))} is outside "
                           f"the page {PAGE_A4[0]} x {PAGE_A4[1]}")
        if x1 - x0 < MIN_BOX_PX or y1 - y0 < MIN_BOX_PX:
            raise _Invalid(f"cell row {row} col {col}: box {box} is smaller than "
                           f"{MIN_BOX_PX} px a side (or has its corners swapped)")
        cells.append(Cell(row, col, (x0, y0, x1, y1)))
    _refuse_overlaps(cells)
    return cells


def _refuse_overlaps(cells: list[Cell]) -> None:
    boxes = np.array([c.box for c in cells], dtype=np.int64)
    x0, y0, x1, y1 = (boxes[:, i] for i in range(4))
    overlap = ((np.minimum(x1[:, None], x1[None]) > np.maximum(x0[:, None], x0[None]))
               & (np.minimum(y1[:, None], y1[None]) > np.maximum(y0[:, None], y0[None])))
    np.fill_diagonal(overlap, False)
    if overlap.any():
        i, j = np.argwhere(overlap)[0]
        raise _Invalid(f"the boxes of cells ({cells[i].row}, {cells[i].col}) and "
                       f"({cells[j].row}, {cells[j].col}) overlap")
