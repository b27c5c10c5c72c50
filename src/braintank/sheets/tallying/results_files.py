"""The results table as files a client publishes: CSV (one line per contestant), XLSX
(openpyxl) and a printable PDF (one A4 page per 30 contestants, drawn like the templates).

Every file is written atomically. Names come from the people who made the template, so they
are treated as text everywhere: the CSV goes through braintank.csvfile (quoted, formula
starters prefixed with '), and in the workbook every name is stored as a string cell, never
as a formula, whatever it starts with.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from braintank.csvfile import csv_text
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes
from braintank.sheets.tallying.results import WHY, Results

FORMATS = (".csv", ".xlsx", ".pdf")
FIXED = ("rank", "tied", "contestant", "total", "mean", "final", "open_cells")
PER_PAGE = 30


def judge_headers(results: Results) -> list[str]:
    """Column names for the judges: their labels, made distinct from each other and from the
    fixed columns."""
    headers: list[str] = []
    for number, judge in enumerate(results.judges, 1):
        name = judge
        if name in FIXED or name in headers:
            name = f"{judge} ({number})"
        headers.append(name)
    return headers


def _mean(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def table_rows(results: Results) -> list[dict[str, object]]:
    """One dict per contestant, keyed by FIXED and the judge headers; a score not final is
    blank (open_cells says which and why)."""
    headers = judge_headers(results)
    rows = []
    for c in results.contestants:
        row: dict[str, object] = {"rank": c.rank, "tied": "yes" if c.tied else "",
                                  "contestant": c.name, "total": c.total,
                                  "mean": _mean(c.mean), "final": "yes" if c.final else "no"}
        for judge, header in zip(results.judges, headers, strict=True):
            score = c.scores.get(judge)
            row[header] = "" if score is None or score.value is None else score.value
        row["open_cells"] = "; ".join(f"{judge}: {WHY[s.state]} ({', '.join(s.where)})"
                                      for judge, s in c.scores.items() if not s.final)
        rows.append(row)
    return rows


def csv_bytes(results: Results) -> bytes:
    columns = ["rank", "tied", "contestant", *judge_headers(results), "total", "mean", "final",
               "open_cells"]
    return csv_text(columns, table_rows(results)).encode("utf-8", errors="backslashreplace")


def _text(cell, value: object) -> None:
    """Put `value` in a worksheet cell; text stays text (openpyxl takes '=...' as a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def xlsx_bytes(results: Results) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "Results"
    headers = judge_headers(results)
    _text(sheet.cell(1, 1), results.title or "Results")
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    _text(sheet.cell(2, 1), summary_line(results))
    columns = ["Rank", "Contestant", *headers, "Total", "Mean", "Final"]
    for col, name in enumerate(columns, 1):
        _text(sheet.cell(4, col), name)
        sheet.cell(4, col).font = Font(bold=True)
    pending = PatternFill("solid", fgColor="FFF2CC")
    for index, row in enumerate(table_rows(results), 5):
        rank = f"{row['rank']}=" if row["tied"] else row["rank"]
        mean = float(row["mean"]) if row["mean"] else ""
        values = [rank, row["contestant"], *(row[h] for h in headers), row["total"], mean,
                  row["final"]]
        for col, value in enumerate(values, 1):
            _text(sheet.cell(index, col), value)
            if row["final"] == "no":
                sheet.cell(index, col).fill = pending
    sheet.freeze_panes = "C5"
    sheet.column_dimensions["B"].width = 28
    opened = book.create_sheet("Not final")
    for col, name in enumerate(("Contestant", "Judge", "Why", "Where"), 1):
        _text(opened.cell(1, col), name)
        opened.cell(1, col).font = Font(bold=True)
    for index, (name, judge, score) in enumerate(results.open_cells(), 2):
        for col, value in enumerate((name, judge, WHY[score.state], ", ".join(score.where)), 1):
            _text(opened.cell(index, col), value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def summary_line(results: Results) -> str:
    made = time.strftime("%Y-%m-%d %H:%M", time.localtime())
    state = (f"{results.not_final} not final ({len(results.open_cells())} cells to decide)"
             if results.not_final else "all final")
    return (f"{len(results.contestants)} contestants, {len(results.judges)} judges; {state}; "
            f"made {made} by braintank")


def results_format(out: str | os.PathLike) -> str:
    """The format `out` asks for by its ending; a BraintankError for any other."""
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise BraintankError(f"{out}: results are written as {', '.join(FORMATS)} (the name's "
                             f"ending says which)")
    return suffix


def write_results(results: Results, out: str | os.PathLike) -> None:
    """Write the table to `out` as its suffix says (.csv, .xlsx or .pdf)."""
    suffix = results_format(out)
    if suffix == ".csv":
        data = csv_bytes(results)
    elif suffix == ".xlsx":
        data = xlsx_bytes(results)
    else:
        from braintank.sheets.tallying.results_pdf import pdf_bytes

        data = pdf_bytes(results)
    atomic_write_bytes(out, data)
