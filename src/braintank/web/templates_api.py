"""GET /api/template: a printable sheet made on request (A4 PDF, Letter PDF, PNG or the
layout.json), with the same checks as `braintank sheet template`; POST /api/layouts keeps a
template's title and labels in the store, so its sheets' results name them."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from braintank.sheets.printing.layout import MAX_COLS, MAX_ROWS, make_layout
from braintank.sheets.printing.template import check_text_fits, write_template
from braintank.sheets.storing.labels import save_template_text
from braintank.web.deps import open_store

router = APIRouter()
FORMATS = {"pdf": ("sheet.pdf", "application/pdf"),
           "letter": ("sheet-letter.pdf", "application/pdf"),
           "png": ("sheet.png", "image/png"),
           "json": ("layout.json", "application/json")}


def _download_name(title: str, rows: int, cols: int, file: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", title).strip("-")[:40] or "sheet"
    return f"{stem}-{rows}x{cols}-{file}"


@router.get("/api/template", summary="A printable score sheet")
def template(rows: int, cols: int, title: str = "", format: str = "pdf",
             row_label: Annotated[list[str] | None, Query()] = None,
             col_label: Annotated[list[str] | None, Query()] = None) -> Response:
    if format not in FORMATS:
        raise HTTPException(422, f"format must be one of {', '.join(FORMATS)}, got "
                                 f"{format[:20]!r}")
    file, media = FORMATS[format]
    with tempfile.TemporaryDirectory(prefix="braintank-template-") as folder:
        write_template(folder, rows, cols, title, row_label or None, col_label or None)
        data = (Path(folder) / file).read_bytes()
    name = _download_name(title, rows, cols, file)
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class TemplateText(BaseModel):
    rows: int = Field(ge=1, le=MAX_ROWS)
    cols: int = Field(ge=1, le=MAX_COLS)
    title: str = Field("", max_length=200)
    row_labels: list[str] = Field(default_factory=list, max_length=MAX_ROWS)
    col_labels: list[str] = Field(default_factory=list, max_length=MAX_COLS)


@router.post("/api/layouts", summary="Keep a template's title and labels for its sheets")
def keep_template_text(request: Request, text: TemplateText) -> dict:
    layout = make_layout(text.rows, text.cols, text.title, text.row_labels or None,
                         text.col_labels or None)
    check_text_fits(layout)
    with open_store(request) as store:
        new = save_template_text(store, layout)
    return {"layout": layout.layout_id, "new": new}
