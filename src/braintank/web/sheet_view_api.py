"""One sheet as a whole: every cell with what the model read, the answer in force (who,
when, its version) and the history of answers; the page as the reader saw it, put together
from the cells' crops; deleting the sheet (its answers are kept in the store)."""

from __future__ import annotations

import cv2
import numpy as np
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from braintank.sheets.reading.reader import encode_png
from braintank.sheets.storing import answers as store_answers
from braintank.web.deps import IdInPath, open_store, shown_file
from braintank.web.review_api import WHO, reviewer, top_guesses

router = APIRouter()
CELL_PX = 96  # each crop's size in the page image
GAP_PX = 6


class Deletion(BaseModel):
    who: str = WHO


def _state(r: dict) -> tuple[str, str]:
    """(state, what the cell holds now): the answer in force, else the model's reading."""
    if r["corrected"]:
        if r["unreadable"]:
            return "unreadable", "?"
        digit = r["corrected_digit"]
        return ("empty", "") if digit is None else ("corrected", str(digit))
    if r["status"] == "ok":
        return "ok", str(r["digit"])
    return r["status"], ""


@router.get("/api/sheets/{sheet_id}", summary="Every cell of a sheet with its answers")
def sheet_view(request: Request, sheet_id: IdInPath) -> dict:
    with open_store(request) as store:
        found = store.query("SELECT file, page, layout_id, status, error FROM sheets WHERE "
                            "id = ?", (sheet_id,))
        if not found or found[0][3] not in ("read", "deleted"):
            raise HTTPException(404, f"no sheet {sheet_id}")
        file, page, layout_id, status, error = found[0]
        if status == "deleted":
            raise HTTPException(410, f"sheet {sheet_id} ({shown_file(request, file)} page "
                                     f"{page}) was {error}")
        rows = store.results([sheet_id])
        versions = dict(((r, c), v) for r, c, v in store.query(
            "SELECT row, col, max(id) FROM correction_log WHERE sheet_id = ? AND undone_at IS "
            "NULL GROUP BY row, col", (sheet_id,)))
        history = store_answers.history(store, sheet_id)
        probabilities = {cell_id: p for cell_id, p in (
            (r["cell_id"], store.probabilities(r["cell_id"])) for r in rows
            if r["status"] == "review")}
    cells = []
    for r in rows:
        state, shown = _state(r)
        answered = r["corrected"]
        cells.append({
            "row": r["row"], "col": r["col"], "cell_id": r["cell_id"], "state": state,
            "shown": shown, "model": r["status"], "digit": r["digit"], "guess": r["guess"],
            "confidence": r["confidence"], "reason": r["reason"],
            "top": top_guesses(probabilities.get(r["cell_id"])),
            "who": r["corrected_by"] if answered else None,
            "at": r["corrected_at"] if answered else None,
            "version": versions.get((r["row"], r["col"]), 0) if answered else 0,
            "row_label": r["row_label"], "col_label": r["col_label"],
            "history": history.get((r["row"], r["col"]), [])})
    first = rows[0] if rows else {"title": ""}
    return {"id": sheet_id, "file": shown_file(request, file), "page": page,
            "layout": layout_id, "title": first["title"],
            "rows": max((c["row"] for c in cells), default=0),
            "cols": max((c["col"] for c in cells), default=0), "cells": cells}


@router.get("/api/sheets/{sheet_id}/page.png", summary="The sheet's cells as the scan shows "
            "them, in their places")
def page_image(request: Request, sheet_id: IdInPath) -> Response:
    with open_store(request) as store:
        crops = store.query("SELECT c.row, c.col, cr.png FROM cells c JOIN sheets s ON s.id = "
                            "c.sheet_id LEFT JOIN crops cr ON cr.cell_id = c.id WHERE "
                            "c.sheet_id = ? AND s.status = 'read'", (sheet_id,))
    if not crops:
        raise HTTPException(404, f"no sheet {sheet_id}")
    rows, cols = max(r for r, _c, _p in crops), max(c for _r, c, _p in crops)
    step = CELL_PX + GAP_PX
    page = np.full((rows * step + GAP_PX, cols * step + GAP_PX), 255, np.uint8)
    for row, col, png in crops:
        if png is None:
            continue
        grey = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
        if grey is None:
            continue
        y, x = GAP_PX + (row - 1) * step, GAP_PX + (col - 1) * step
        page[y:y + CELL_PX, x:x + CELL_PX] = cv2.resize(grey, (CELL_PX, CELL_PX),
                                                        interpolation=cv2.INTER_AREA)
    return Response(encode_png(page), media_type="image/png",
                    headers={"Cache-Control": "no-store"})


@router.post("/api/sheets/{sheet_id}/delete", summary="Take a sheet out of the results (its "
             "answers stay in the store's log)")
def delete(request: Request, sheet_id: IdInPath, deletion: Deletion) -> dict:
    with open_store(request) as store:
        gone = store_answers.delete_sheet(store, sheet_id, reviewer(deletion.who))
    return {**gone, "file": shown_file(request, gone["file"])}
