"""Write results as CSV (file,page,row,col,digit,confidence,status), corrections applied."""

from __future__ import annotations

import csv
import io
import os

from braintank.fileio import atomic_write_text
from braintank.sheets.store import SheetStore

COLUMNS = ("file", "page", "row", "col", "digit", "confidence", "status")


def final_row(result: dict) -> dict:
    """One CSV row: a person's correction wins; the digit is blank unless ok or corrected."""
    row = {k: result[k] for k in ("file", "page", "row", "col")}
    row["confidence"] = f"{result['confidence']:.4f}" if result["status"] != "empty" else ""
    if result["corrected"]:
        digit = result["corrected_digit"]
        row["digit"] = "" if digit is None else str(digit)
        row["status"] = "empty" if digit is None else "corrected"
    else:
        row["digit"] = "" if result["status"] != "ok" else str(result["digit"])
        row["status"] = result["status"]
    return row


def to_csv(results: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        writer.writerow(final_row(result))
    return buffer.getvalue()


def export_csv(store: SheetStore, out: str | os.PathLike,
               sheet_ids: list[int] | None = None) -> int:
    """Write the CSV atomically; returns the number of cell rows."""
    results = store.results(sheet_ids)
    atomic_write_text(out, to_csv(results))
    return len(results)
