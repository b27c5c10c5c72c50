"""The results table as a printable PDF: A4 pages at 150 dpi drawn with Pillow (as the
templates are), 30 contestants a page, then the cells still to decide, if any."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from braintank.sheets.printing.template import _font
from braintank.sheets.tallying.results import WHY, Results
from braintank.sheets.tallying.results_files import (
    PER_PAGE,
    judge_headers,
    summary_line,
    table_rows,
)

DPI = 150
A4 = (1240, 1754)  # 210 x 297 mm at 150 dpi
MARGIN = 70
TOP = MARGIN + 130  # the table's first line, under the title and the summary
WIDE = 9  # more judges than this: the page is turned (landscape)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, size: int) -> str:
    """`text`, cut with an ellipsis to fit `width` pixels."""
    font = _font(size)
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "\u2026", font=font) > width:
        text = text[:-1]
    return text + "\u2026"


def _columns(page_width: int, judges: int) -> list[int]:
    """Widths: rank, contestant, each judge, total, mean, final; the judges' columns narrow
    when there are many, the names keep at least 240 px where they can."""
    room = page_width - 2 * MARGIN - (80 + 100 + 100 + 80)
    judge = max(36, min(90, (room - 240) // max(judges, 1)))
    return [80, room - judge * judges, *([judge] * judges), 100, 100, 80]


def _page(size: tuple[int, int], title: str, line: str, number: int, pages: int
          ) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    draw.text((MARGIN, MARGIN), _fit(draw, title, size[0] - 2 * MARGIN, 40), fill=0,
              font=_font(40))
    draw.text((MARGIN, MARGIN + 60), _fit(draw, line, size[0] - 2 * MARGIN, 22), fill=70,
              font=_font(22))
    draw.text((size[0] - MARGIN, size[1] - MARGIN + 20), f"page {number} of {pages}", fill=70,
              font=_font(20), anchor="rs")
    return page, draw


def _row(draw: ImageDraw.ImageDraw, y: int, widths: list[int], cells: list[str], high: int,
         shade: bool = False, bold: bool = False) -> None:
    x, size = MARGIN, high // 2
    if shade:
        draw.rectangle((MARGIN, y, MARGIN + sum(widths), y + high - 1), fill=225)
    for index, (width, text) in enumerate(zip(widths, cells, strict=True)):
        shown = _fit(draw, text, width - 12, size)
        if index == 1:  # names read from the left, numbers line up on the right
            draw.text((x + 6, y + high // 2), shown, fill=0, font=_font(size), anchor="lm")
        else:
            draw.text((x + width - 6, y + high // 2), shown, fill=0, font=_font(size),
                      anchor="rm")
        x += width
    draw.line((MARGIN, y + high - 1, x, y + high - 1), fill=0 if bold else 170, width=2 if bold
              else 1)


def pdf_bytes(results: Results) -> bytes:
    headers = judge_headers(results)
    size = A4 if len(headers) <= WIDE else (A4[1], A4[0])
    widths = _columns(size[0], len(headers))
    high = (size[1] - TOP - MARGIN - 30) // (PER_PAGE + 1)  # 30 lines and the header
    rows = table_rows(results)
    opened = results.open_cells()
    chunks = [rows[i:i + PER_PAGE] for i in range(0, max(len(rows), 1), PER_PAGE)]
    open_chunks = [opened[i:i + PER_PAGE] for i in range(0, len(opened), PER_PAGE)]
    total = len(chunks) + len(open_chunks)
    title, line = results.title or "Results", summary_line(results)
    pages = []
    for number, chunk in enumerate(chunks, 1):
        page, draw = _page(size, title, line, number, total)
        _row(draw, TOP, widths, ["Rank", "Contestant", *headers, "Total", "Mean", "Final"], high,
             bold=True)
        for index, row in enumerate(chunk, 1):
            rank = f"{row['rank']}=" if row["tied"] else str(row["rank"])
            scores = [str(row[h]) if row[h] != "" else "" for h in headers]
            _row(draw, TOP + index * high, widths,
                 [rank, str(row["contestant"]), *scores, str(row["total"]), str(row["mean"]),
                  row["final"]], high, shade=row["final"] == "no")
        pages.append(page)
    for number, chunk in enumerate(open_chunks, len(chunks) + 1):
        page, draw = _page(size, f"{title}: cells still to decide", line, number, total)
        for index, (name, judge, score) in enumerate(chunk):
            text = f"{name} / {judge}: {WHY[score.state]} ({', '.join(score.where)})"
            draw.text((MARGIN, TOP + index * high + high // 2),
                      _fit(draw, text, size[0] - 2 * MARGIN, high // 2), fill=0,
                      font=_font(high // 2),
                      anchor="lm")
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", resolution=DPI, save_all=True,
                  append_images=pages[1:])
    return buffer.getvalue()
