"""The competition's result (sheets.tallying.results): the table as JSON for the results page,
and as the files `braintank sheet results` writes (CSV, XLSX, PDF)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from braintank.sheets.tallying.results import WHY, Results, compute_results
from braintank.sheets.tallying.results_files import csv_bytes, summary_line, xlsx_bytes
from braintank.sheets.tallying.results_pdf import pdf_bytes
from braintank.web.deps import IdsInQuery, check_sheets, open_store, shown_file

router = APIRouter()
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf"}


def _results(request: Request, sheet: list[int] | None) -> Results:
    with open_store(request) as store:
        check_sheets(store, sheet)
        rows = store.results(sheet or None)
    for r in rows:
        r["file"] = shown_file(request, r["file"])
    return compute_results(rows)


@router.get("/api/results", summary="Contestants x judges with total, mean and rank")
def results(request: Request, sheet: IdsInQuery = None) -> dict:
    table = _results(request, sheet)
    return {
        "title": table.title, "judges": table.judges, "summary": summary_line(table),
        "contestants": [{"name": c.name, "rank": c.rank, "tied": c.tied, "total": c.total,
                         "mean": c.mean, "final": c.final,
                         "scores": [None if (s := c.scores.get(j)) is None else
                                    {"value": s.value, "state": s.state} for j in table.judges]}
                        for c in table.contestants],
        "open": [{"contestant": name, "judge": judge, "why": WHY[s.state], "where": s.where,
                  "cells": s.cells} for name, judge, s in table.open_cells()]}


@router.get("/api/results.{kind}", summary="The results table as a CSV, XLSX or PDF file")
def results_file(request: Request, kind: str, sheet: IdsInQuery = None) -> Response:
    if kind not in MEDIA:
        raise HTTPException(404, f"results come as .csv, .xlsx or .pdf, not .{kind[:10]}")
    table = _results(request, sheet)
    if kind == "pdf":
        data = pdf_bytes(table)
    else:
        data = csv_bytes(table) if kind == "csv" else xlsx_bytes(table)
    return Response(data, media_type=MEDIA[kind],
                    headers={"Content-Disposition": f'attachment; filename="results.{kind}"'})
