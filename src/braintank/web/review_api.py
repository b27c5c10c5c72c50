"""The review queue: the cells still marked review, each with its crop and the model's top
guesses; a person's answer (digit, empty, unreadable) is stored at once with who and when."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from braintank.sheets.review import pending
from braintank.web.deps import IdInPath, IdsInQuery, StoreInt, open_store, shown_file

router = APIRouter()
ANSWERS = {**{str(d): d for d in range(10)}, "empty": None, "unreadable": None}
TOP_GUESSES = 3


class Answer(BaseModel):
    sheet_id: StoreInt
    row: StoreInt
    col: StoreInt
    answer: str = Field(description="a digit 0-9, 'empty' or 'unreadable'")
    who: str = Field(min_length=1, max_length=80, description="the reviewer's name")


def _top(probabilities: list[float] | None) -> list[dict]:
    if not probabilities:
        return []
    order = sorted(range(len(probabilities)), key=lambda d: -probabilities[d])[:TOP_GUESSES]
    return [{"digit": d, "probability": probabilities[d]} for d in order]


@router.get("/api/review", summary="Cells waiting for a person, in file/page/row/col order")
def review_queue(request: Request, sheet: IdsInQuery = None) -> dict:
    with open_store(request) as store:
        items = [r for r in pending(store) if not sheet or r["sheet_id"] in sheet]
        queue = [{"sheet_id": r["sheet_id"], "cell_id": r["cell_id"],
                  "file": shown_file(request, r["file"]), "page": r["page"], "row": r["row"],
                  "col": r["col"], "guess": r["guess"], "confidence": r["confidence"],
                  "reason": r["reason"], "top": _top(store.probabilities(r["cell_id"]))}
                 for r in items]
    return {"left": len(queue), "items": queue}


@router.get("/api/cells/{cell_id}/crop.png", summary="The cell as the scan shows it")
def crop(request: Request, cell_id: IdInPath) -> Response:
    with open_store(request) as store:
        png = store.crop_png(cell_id)
    if png is None:
        raise HTTPException(404, f"no crop for cell {cell_id}")
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post("/api/corrections", summary="Store a person's answer for one cell")
def correct(request: Request, answer: Answer) -> dict:
    if answer.answer not in ANSWERS:
        raise HTTPException(422, f"answer must be a digit 0-9, 'empty' or 'unreadable', got "
                                 f"{answer.answer[:20]!r}")
    who = "".join(c for c in answer.who if c.isprintable()).strip()
    if not who:
        raise HTTPException(422, "who: the reviewer's name is empty")
    with open_store(request) as store:
        if not store.query("SELECT 1 FROM cells c JOIN sheets s ON s.id = c.sheet_id "
                           "WHERE c.sheet_id = ? AND c.row = ? AND c.col = ? "
                           "AND s.status = 'read'", (answer.sheet_id, answer.row, answer.col)):
            raise HTTPException(404, f"no cell at sheet {answer.sheet_id} row {answer.row} "
                                     f"col {answer.col}")
        store.correct(answer.sheet_id, answer.row, answer.col, ANSWERS[answer.answer], who=who,
                      unreadable=answer.answer == "unreadable")
    return {"saved": True, "sheet_id": answer.sheet_id, "row": answer.row, "col": answer.col,
            "answer": answer.answer, "who": who}
