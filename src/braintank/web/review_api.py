"""The review queue: the cells still marked review, each with its crop and the model's top
guesses; a person's answer (digit, empty, unreadable) is stored at once with who and when.

Reviewers working at once claim a few cells at a time (sheets.storing.answers.claim), so they are
handed different ones; an answer names the cell's version the page showed, and one given to
a cell that changed since is refused (409) with what is in force now. Undo takes back the
reviewer's own latest answer.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from braintank.sheets.storing import answers as store_answers
from braintank.sheets.storing.review import pending
from braintank.web.deps import IdInPath, IdsInQuery, StoreInt, open_store, shown_file

router = APIRouter()
ANSWERS = {**{str(d): d for d in range(10)}, "empty": None, "unreadable": None}
TOP_GUESSES = 3
WHO = Field(min_length=1, max_length=80, description="the reviewer's name")


class Answer(BaseModel):
    sheet_id: StoreInt
    row: StoreInt
    col: StoreInt
    answer: str = Field(description="a digit 0-9, 'empty' or 'unreadable'")
    who: str = WHO
    expected: StoreInt | None = Field(None, description="the cell's version the page showed "
                                      "(0: unanswered); refused with 409 if it changed since")


class Reviewer(BaseModel):
    who: str = WHO


class ClaimRequest(BaseModel):
    who: str = WHO
    count: int = Field(10, ge=1, le=store_answers.MAX_CLAIM)
    sheet: list[StoreInt] = Field(default_factory=list, description="only these sheets")
    skip: list[tuple[StoreInt, StoreInt, StoreInt]] = Field(
        default_factory=list, max_length=10_000,
        description="(sheet, row, col) the reviewer skipped: let go, not handed back")
    have: list[tuple[StoreInt, StoreInt, StoreInt]] = Field(
        default_factory=list, max_length=10_000,
        description="(sheet, row, col) the page has already: not handed out again")


def reviewer(name: str) -> str:
    """The reviewer's name as kept: printable characters, trimmed; 422 when nothing is left."""
    who = "".join(c for c in name if c.isprintable()).strip()
    if not who:
        raise HTTPException(422, "who: the reviewer's name is empty")
    return who


def top_guesses(probabilities: list[float] | None) -> list[dict]:
    """The model's most likely digits, best first (probabilities averaged over its views; the
    decision's own confidence is the item's `confidence`)."""
    if not probabilities:
        return []
    order = sorted(range(len(probabilities)), key=lambda d: -probabilities[d])[:TOP_GUESSES]
    return [{"digit": d, "probability": probabilities[d]} for d in order]


def _item(request: Request, r: dict, probabilities: list[float] | None) -> dict:
    return {"sheet_id": r["sheet_id"], "cell_id": r["cell_id"],
            "file": shown_file(request, r["file"]), "page": r["page"], "row": r["row"],
            "col": r["col"], "guess": r["guess"], "confidence": r["confidence"],
            "reason": r["reason"], "top": top_guesses(probabilities), "version": 0}


@router.get("/api/review", summary="Cells waiting for a person, in file/page/row/col order")
def review_queue(request: Request, sheet: IdsInQuery = None) -> dict:
    with open_store(request) as store:
        items = [r for r in pending(store) if not sheet or r["sheet_id"] in sheet]
        queue = [_item(request, r, store.probabilities(r["cell_id"])) for r in items]
    return {"left": len(queue), "items": queue}


@router.post("/api/review/claim", summary="Hand this reviewer a few cells nobody else holds")
def claim(request: Request, wanted: ClaimRequest) -> dict:
    who = reviewer(wanted.who)
    with open_store(request) as store:
        given = store_answers.claim(store, who, wanted.count, wanted.sheet or None,
                                    {tuple(cell) for cell in wanted.skip},
                                    {tuple(cell) for cell in wanted.have})
    items = [_item(request, r, json.loads(r["probabilities"])) for r in given["items"]]
    return {**given, "items": items, "hold_seconds": store_answers.CLAIM_SECONDS}


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
    who = reviewer(answer.who)
    with open_store(request) as store:
        store_answers.check_answerable(store.conn, answer.sheet_id, answer.row, answer.col)
        version = store.correct(answer.sheet_id, answer.row, answer.col, ANSWERS[answer.answer],
                                who=who, unreadable=answer.answer == "unreadable",
                                expected=answer.expected)
    return {"saved": True, "sheet_id": answer.sheet_id, "row": answer.row, "col": answer.col,
            "answer": answer.answer, "who": who, "version": version}


@router.post("/api/corrections/undo", summary="Take back this reviewer's latest answer")
def undo(request: Request, person: Reviewer) -> dict:
    with open_store(request) as store:
        return store_answers.undo_last(store, reviewer(person.who))
