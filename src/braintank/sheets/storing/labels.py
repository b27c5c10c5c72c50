"""The printed text of a template (title, row and column labels) kept in the store by its
layout id, so results and exports name contestants and judges, not row and column numbers.

The code printed on a page names only the grid and a variant (8 bits of a hash of the text),
so the text itself reaches the store when a template is made by the server, when a
layout.json comes with the scans, or when `sheet read --layout` is used. Two templates of one
size whose text hashes to the same variant cannot share a store: the second is refused
rather than relabelling the sheets of the first.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from braintank.errors import BraintankError

if TYPE_CHECKING:
    from braintank.sheets.printing.layout import Layout
    from braintank.sheets.storing.store import SheetStore


@dataclass(frozen=True)
class TemplateText:
    title: str = ""
    row_labels: list[str] = field(default_factory=list)
    col_labels: list[str] = field(default_factory=list)

    def row_label(self, row: int) -> str:
        return self.row_labels[row - 1] if 1 <= row <= len(self.row_labels) else ""

    def col_label(self, col: int) -> str:
        return self.col_labels[col - 1] if 1 <= col <= len(self.col_labels) else ""

    def for_cell(self, row: int, col: int) -> dict[str, str]:
        return {"title": self.title, "row_label": self.row_label(row),
                "col_label": self.col_label(col)}


BLANK_TEXT = TemplateText()


def template_texts(store: SheetStore) -> dict[str, TemplateText]:
    """layout id -> its text, for every template the store knows (none in a store of an
    older braintank opened read-only)."""
    if not store.has_table("layouts"):
        return {}
    texts = {}
    for layout_id, title, rows, cols in store.query(
            "SELECT layout_id, title, row_labels, col_labels FROM layouts"):
        texts[layout_id] = TemplateText(title, _labels(rows), _labels(cols))
    return texts


def _labels(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def save_template_text(store: SheetStore, layout: Layout) -> bool:
    """Keep `layout`'s text under its id; True when it was new. A different text already
    kept under the same id is a BraintankError naming both titles."""
    text = (layout.title, json.dumps(layout.row_labels, ensure_ascii=False),
            json.dumps(layout.col_labels, ensure_ascii=False))
    with store.transaction() as conn:
        known = conn.execute("SELECT title, row_labels, col_labels FROM layouts WHERE "
                             "layout_id = ?", (layout.layout_id,)).fetchone()
        if known is not None and tuple(known) != text:
            raise BraintankError(
                f"template {layout.layout_id} ({layout.title!r}) has the same printed code as "
                f"the template {known[0]!r} already in this store, with other labels; use a "
                f"separate --db for it, or change its title a little so it gets another code")
        if known is None:
            conn.execute("INSERT INTO layouts (layout_id, title, row_labels, col_labels, "
                         "saved_at) VALUES (?, ?, ?, ?, ?)", (layout.layout_id, *text,
                                                              time.time()))
    return known is None
