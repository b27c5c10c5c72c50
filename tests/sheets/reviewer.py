"""A simulated person at `braintank sheet review --all`: answers every written cell with the
truth the simulator kept (Enter when the model's guess is right, the digit when it is wrong,
`e` when the cell is really empty), through the real review loop and store."""

from __future__ import annotations

import io
from pathlib import Path

from braintank.sheets.storing.review import pending, run_review
from braintank.sheets.storing.store import SheetStore

Truth = dict[tuple[int, int], int | None]


def answer(truth: int | None, guess: int | None) -> str:
    if truth is None:
        return "e"
    return "" if truth == guess else str(truth)


def review_with_truth(store: SheetStore, truths: dict[str, Truth],
                      include_all: bool = True) -> dict[str, int]:
    """Review every written cell of `store` (`include_all` False: only the cells the reader
    sent to review); `truths` maps a scan's path to its truth."""
    items = pending(store, include_all=include_all)
    lines = [answer(truths[str(Path(item["file"]))][(item["row"], item["col"])], item["guess"])
             for item in items]
    return run_review(store, io.StringIO("".join(f"{line}\n" for line in lines)),
                      io.StringIO(), include_all=include_all)
