"""Every CSV braintank writes goes through here, so every one gets the same two guarantees.

1. Exact round trips. Fields are quoted as RFC 4180 says (QUOTE_MINIMAL with CRLF line ends):
   a field holding a comma, a double quote, a CR or a LF is enclosed in double quotes with its
   quotes doubled. Python's csv module (open the file with newline="") and spreadsheets read
   back exactly the rows written, whatever a file name contains.
2. No spreadsheet formulas (CSV injection, as OWASP recommends). A text cell whose first
   character is = + - @, tab, CR (OWASP's list), LF or NUL gets a single quote ' put in front,
   which spreadsheets take as "this is text" instead of running the cell as a formula; quoting
   (rule 1) is then applied to the prefixed text, so the cell still cannot spill into others.
   Only text cells are touched: numbers passed as int or float are written as they are.

Text that is not valid Unicode (a file name with undecodable bytes, which Python carries as
lone surrogates) is written with backslash escapes (\\udcff) instead of failing.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence

from braintank.fileio import atomic_write_bytes

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0")


def neutralize_formula(text: str) -> str:
    """`text` with a ' in front when a spreadsheet would read it as a formula."""
    return "'" + text if text[:1] in FORMULA_TRIGGERS else text


def _cell(value: object) -> object:
    return neutralize_formula(value) if isinstance(value, str) else value


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """The CSV (header, then one line per row) with the guarantees of this module."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_cell(name) for name in columns])
    for row in rows:
        writer.writerow([_cell(row[name]) for name in columns])
    return buffer.getvalue()


def write_csv(path: str | os.PathLike, columns: Sequence[str],
              rows: Iterable[Mapping[str, object]]) -> None:
    """Write the CSV atomically as UTF-8 (the old file stays whole if this fails)."""
    data = csv_text(columns, rows).encode("utf-8", errors="backslashreplace")
    atomic_write_bytes(path, data)
