"""Draw a printable template: 300-dpi PNG, A4 and Letter PDFs, and its layout.json."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from braintank.errors import BraintankError
from braintank.fileio import atomic_open, atomic_write_text
from braintank.sheets.printing import layout_code
from braintank.sheets.printing.layout import (
    CONTENT,
    CONTENT_ORIGIN_A4,
    CONTENT_ORIGIN_LETTER,
    DPI,
    LINE_GREY,
    LINE_WIDTH,
    MARKER_IDS,
    MARKER_INSET,
    MARKER_SIZE,
    PAGE_A4,
    PAGE_LETTER,
    Layout,
    code_boxes,
    make_layout,
)

ARUCO_DICT = cv2.aruco.DICT_4X4_50


@functools.cache
def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _draw_markers(page: Image.Image) -> None:
    dictionary = cv2.aruco.getPredefinedDictionary(ARUCO_DICT)
    far_x = CONTENT[0] - MARKER_INSET - MARKER_SIZE
    far_y = CONTENT[1] - MARKER_INSET - MARKER_SIZE
    spots = [(MARKER_INSET, MARKER_INSET), (far_x, MARKER_INSET), (far_x, far_y),
             (MARKER_INSET, far_y)]
    for marker_id, spot in zip(MARKER_IDS, spots, strict=True):
        # borderBits=1: the printed square is exactly the detected outline.
        img = cv2.aruco.generateImageMarker(dictionary, marker_id, MARKER_SIZE, borderBits=1)
        page.paste(Image.fromarray(img), spot)


def _draw_code(draw: ImageDraw.ImageDraw, layout: Layout) -> None:
    bits = layout_code.encode(layout.rows, layout.cols, layout.variant)
    boxes = code_boxes((0, 0))
    for bit, (x0, y0, x1, y1) in zip(bits, boxes, strict=True):
        if bit:
            draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=0)
    font = _font(30)
    text = f"braintank sheet {layout.layout_id}"
    draw.text((CONTENT[0] // 2, boxes[0][3] + 12), text, fill=60, font=font, anchor="mt")


# Where the text goes. Title and note sit in the band between the top markers; row labels
# right-aligned left of the first box, column labels centred above their box.
TITLE_SIZE, NOTE_SIZE, LABEL_SIZE = 64, 34, 44
TITLE_Y = MARKER_INSET + MARKER_SIZE // 2
NOTE_Y = MARKER_INSET + MARKER_SIZE + 20
NOTE = "Write one digit 0-9 per box. Leave a box empty when there is no score."
ROW_LABEL_GAP, COL_LABEL_GAP = 30, 25
# Blank paper kept around each corner marker, so text never touches its outline.
MARKER_QUIET = 40


@dataclass(frozen=True)
class Printed:
    """One line of text on the template and the rectangle it must stay inside."""

    what: str  # "the title", "row label 3", ...
    text: str
    xy: tuple[int, int]
    anchor: str
    size: int
    fill: int
    zone: tuple[int, int, int, int] | None  # None: fixed text, known to fit


def _content_box(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    ox, oy = CONTENT_ORIGIN_A4
    return x0 - ox, y0 - oy, x1 - ox, y1 - oy


def _text_box(item: Printed) -> tuple[int, int, int, int]:
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    return draw.textbbox(item.xy, item.text, font=_font(item.size), anchor=item.anchor)


def _printed_text(layout: Layout) -> list[Printed]:
    """Everything written on the template apart from the code strip's caption."""
    far_x = CONTENT[0] - MARKER_INSET - MARKER_SIZE
    far_y = CONTENT[1] - MARKER_INSET - MARKER_SIZE
    note = Printed("the note", NOTE, (CONTENT[0] // 2, NOTE_Y), "mt", NOTE_SIZE, 60, None)
    note_bottom = _text_box(note)[3]
    title_zone = (MARKER_INSET + MARKER_SIZE + MARKER_QUIET, MARKER_INSET // 2,
                  far_x - MARKER_QUIET, NOTE_Y - 6)
    items = [Printed("the title", layout.title or "Score sheet", (CONTENT[0] // 2, TITLE_Y),
                     "mm", TITLE_SIZE, 0, title_zone), note]
    boxes = [_content_box(c.box) for c in layout.cells]
    pitch_x = boxes[1][0] - boxes[0][0] if layout.cols > 1 else 2 * (boxes[0][2] - boxes[0][0])
    pitch_y = (boxes[layout.cols][1] - boxes[0][1] if layout.rows > 1
               else 2 * (boxes[0][3] - boxes[0][1]))
    for cell, (x0, y0, x1, y1) in zip(layout.cells, boxes, strict=True):
        half_gap = (pitch_y - (y1 - y0)) // 2
        if cell.col == 1:
            label = layout.row_labels[cell.row - 1] if layout.row_labels else str(cell.row)
            zone = (MARKER_INSET, max(y0 - half_gap, note_bottom + 4), x0 - ROW_LABEL_GAP + 8,
                    min(y1 + half_gap, far_y - MARKER_QUIET))
            items.append(Printed(f"row label {cell.row}", label,
                                 (x0 - ROW_LABEL_GAP, (y0 + y1) // 2), "rm", LABEL_SIZE, 40,
                                 zone))
        if cell.row == 1:
            label = layout.col_labels[cell.col - 1] if layout.col_labels else str(cell.col)
            centre = (x0 + x1) // 2
            zone = (centre - pitch_x // 2 + 6, note_bottom + 4, centre + pitch_x // 2 - 6,
                    y0 - COL_LABEL_GAP + 5)
            items.append(Printed(f"column label {cell.col}", label,
                                 (centre, y0 - COL_LABEL_GAP), "mb", LABEL_SIZE, 40, zone))
    return items


def check_text_fits(layout: Layout) -> None:
    """Refuse a title or label that would print outside its place (over a marker, into the
    boxes or a neighbour's label), measured with the font the template is drawn with.

    Text that does not fit is refused rather than shrunk: a template prints what was asked
    at the size people can read, and the error says how much room there is.
    """
    for item in _printed_text(layout):
        if item.zone is None:
            continue
        left, top, right, bottom = _text_box(item)
        zx0, zy0, zx1, zy1 = item.zone
        if left < zx0 or right > zx1:
            raise BraintankError(
                f"{item.what} {_quoted(item.text)} is too wide to print: {right - left} px, "
                f"{zx1 - zx0} px fit on a {layout.rows} x {layout.cols} sheet; shorten it")
        if top < zy0 or bottom > zy1:
            raise BraintankError(f"{item.what} {_quoted(item.text)} is too tall to print "
                                 f"(stacked accents?); at most {zy1 - zy0} px fit")


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:24] + "...")


def _draw_grid(draw: ImageDraw.ImageDraw, layout: Layout) -> None:
    for cell in layout.cells:
        x0, y0, x1, y1 = _content_box(cell.box)
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=LINE_GREY, width=LINE_WIDTH)


def render_content(layout: Layout) -> Image.Image:
    """The drawable area (common to A4 and Letter) as an 8-bit grey image."""
    page = Image.new("L", CONTENT, 255)
    _draw_markers(page)
    draw = ImageDraw.Draw(page)
    for item in _printed_text(layout):
        draw.text(item.xy, item.text, fill=item.fill, font=_font(item.size), anchor=item.anchor)
    _draw_grid(draw, layout)
    _draw_code(draw, layout)
    return page


def render_page(layout: Layout, paper: str = "a4") -> Image.Image:
    """The whole page at 300 dpi, for `paper` 'a4' or 'letter'."""
    size, origin = {"a4": (PAGE_A4, CONTENT_ORIGIN_A4),
                    "letter": (PAGE_LETTER, CONTENT_ORIGIN_LETTER)}[paper]
    page = Image.new("L", size, 255)
    page.paste(render_content(layout), origin)
    return page


def render_array(layout: Layout) -> np.ndarray:
    """The A4 page as uint8 [h, w]; this is the frame layout.json refers to."""
    return np.asarray(render_page(layout, "a4"))


def write_template(out_dir: str | os.PathLike, rows: int, cols: int, title: str = "",
                   row_labels: list[str] | None = None,
                   col_labels: list[str] | None = None) -> Layout:
    """Write sheet.png, sheet.pdf (A4), sheet-letter.pdf and layout.json into `out_dir`."""
    layout = make_layout(rows, cols, title, row_labels, col_labels)
    check_text_fits(layout)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    a4 = render_page(layout, "a4")
    with atomic_open(out / "sheet.png", "wb") as handle:
        a4.save(handle, format="PNG", dpi=(DPI, DPI))
    for name, paper in (("sheet.pdf", "a4"), ("sheet-letter.pdf", "letter")):
        page = a4 if paper == "a4" else render_page(layout, paper)
        with atomic_open(out / name, "wb") as handle:
            page.save(handle, format="PDF", resolution=DPI)
    atomic_write_text(out / "layout.json", layout.to_json())
    return layout
