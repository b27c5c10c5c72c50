"""Draw a printable template: 300-dpi PNG, A4 and Letter PDFs, and its layout.json."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from braintank.fileio import atomic_open, atomic_write_text
from braintank.sheets import layout_code
from braintank.sheets.layout import (
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


def _draw_grid(draw: ImageDraw.ImageDraw, layout: Layout) -> None:
    font = _font(44)
    for cell in layout.cells:
        x0, y0, x1, y1 = (v - o for v, o in zip(cell.box, CONTENT_ORIGIN_A4 * 2, strict=True))
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=LINE_GREY, width=LINE_WIDTH)
        if cell.col == 1:
            label = layout.row_labels[cell.row - 1] if layout.row_labels else str(cell.row)
            draw.text((x0 - 30, (y0 + y1) // 2), label, fill=40, font=font, anchor="rm")
        if cell.row == 1:
            label = layout.col_labels[cell.col - 1] if layout.col_labels else str(cell.col)
            draw.text(((x0 + x1) // 2, y0 - 25), label, fill=40, font=font, anchor="mb")


def render_content(layout: Layout) -> Image.Image:
    """The drawable area (common to A4 and Letter) as an 8-bit grey image."""
    page = Image.new("L", CONTENT, 255)
    _draw_markers(page)
    draw = ImageDraw.Draw(page)
    title = layout.title or "Score sheet"
    draw.text((CONTENT[0] // 2, MARKER_INSET + MARKER_SIZE // 2), title, fill=0,
              font=_font(64), anchor="mm")
    draw.text((CONTENT[0] // 2, MARKER_INSET + MARKER_SIZE + 30),
              "Write one digit 0-9 per box. Leave a box empty when there is no score.",
              fill=60, font=_font(34), anchor="mt")
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
