"""Write results as CSV (file,page,row,col,digit,confidence,status,reason, then the cell's
labels, the template title, and who gave the answer in force and when), corrections applied.

`reason` says why the reader sent a cell to a person ("not in the photo", "photo too small: 31
px per box; take it closer", "a dash or line, not a digit", ...), blank for cells read as they
are.

The file goes through braintank.csvfile: exact round trips whatever a file name holds, and
cells a spreadsheet would run as formulas prefixed with '.
"""

from __future__ import annotations

import os
import time

from braintank.csvfile import csv_text, write_csv
from braintank.sheets.storing.store import SheetStore

COLUMNS = ("file", "page", "row", "col", "digit", "confidence", "status", "reason")
# What the printed template calls the cell's row and column, its title, and the reviewer and
# time (UTC, ISO 8601) of the answer in force (blank: the model's reading stands).
LABEL_COLUMNS = ("row_label", "col_label", "title", "reviewer", "answered_at")


def final_row(result: dict) -> dict:
    """One CSV row: a person's correction wins; the digit is blank unless ok or corrected
    (status `unreadable`: a reviewer could not read the cell either)."""
    # The reason stays after a correction: why a person had to look is still worth knowing.
    row = {k: result[k] for k in ("file", "page", "row", "col", "reason")}
    row["confidence"] = f"{result['confidence']:.4f}" if result["status"] != "empty" else ""
    if result["corrected"] and result.get("unreadable"):
        row["digit"], row["status"] = "", "unreadable"  # a person looked and could not read it
    elif result["corrected"]:
        digit = result["corrected_digit"]
        row["digit"] = "" if digit is None else str(digit)
        row["status"] = "empty" if digit is None else "corrected"
    else:
        row["digit"] = "" if result["status"] != "ok" else str(result["digit"])
        row["status"] = result["status"]
    return row


def answered_at(seconds: float | None) -> str:
    return "" if seconds is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def labelled_row(result: dict) -> dict:
    """The LABEL_COLUMNS of one cell (store.results gives the labels and title)."""
    return {"row_label": result.get("row_label", ""), "col_label": result.get("col_label", ""),
            "title": result.get("title", ""), "reviewer": result.get("corrected_by") or "",
            "answered_at": answered_at(result.get("corrected_at"))}


def csv_rows(results: list[dict]):
    return (final_row(result) | labelled_row(result) for result in results)


def to_csv(results: list[dict]) -> str:
    return csv_text(COLUMNS + LABEL_COLUMNS, csv_rows(results))


def export_csv(store: SheetStore, out: str | os.PathLike,
               sheet_ids: list[int] | None = None) -> int:
    """Write the CSV atomically; returns the number of cell rows."""
    results = store.results(sheet_ids)
    write_csv(out, COLUMNS + LABEL_COLUMNS, csv_rows(results))
    return len(results)
