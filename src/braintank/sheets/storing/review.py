"""The terminal review: show each doubtful cell, take the person's digit, store it at once.

Driven by plain lines on stdin, so a script (or a test) can answer: a digit 0-9, `e` for an
empty cell, Enter to accept the model's guess, `s` to skip, `q` to quit. End of input quits.
"""

from __future__ import annotations

from typing import TextIO

import cv2
import numpy as np

from braintank.sheets.storing.store import SheetStore

RAMP = " .:-=+*#%@"
HELP = "digit 0-9, e = empty, Enter = accept guess, s = skip, q = quit"


def ascii_art(grey: np.ndarray, width: int = 32) -> str:
    """Dark pixels as dense characters; rows are halved because characters are tall."""
    height = max(1, round(grey.shape[0] * width / grey.shape[1] / 2))
    small = cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32)
    lo, hi = float(small.min()), float(small.max())
    darkness = (hi - small) / max(hi - lo, 1.0)
    index = np.clip((darkness * len(RAMP)).astype(int), 0, len(RAMP) - 1)
    return "\n".join("".join(RAMP[i] for i in row) for row in index)


def pending(store: SheetStore, include_all: bool = False) -> list[dict]:
    """Cells a person still has to look at (with `include_all`: every written cell)."""
    rows = [r for r in store.results() if not r["corrected"]]
    if include_all:
        return [r for r in rows if r["status"] != "empty"]
    return [r for r in rows if r["status"] == "review"]


def _show(store: SheetStore, item: dict, number: int, total: int, out: TextIO) -> None:
    guess = item["guess"]
    guess_text = "none" if guess is None else f"{guess} ({item['confidence']:.0%})"
    out.write(f"\n[{number}/{total}] {item['file']} page {item['page']} "
              f"row {item['row']} col {item['col']}: model guess {guess_text}"
              + (f", {item['reason']}" if item["reason"] else "") + "\n")
    png = store.crop_png(item["cell_id"])
    if png is not None:
        grey = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
        out.write(ascii_art(grey) + "\n")
    if item["crop_path"]:
        out.write(f"crop: {item['crop_path']}\n")


DIGITS = "0123456789"


def parse_answer(line: str, guess: int | None) -> tuple[str, int | None]:
    """('save', digit|None) | ('skip', None) | ('quit', None) | ('again', None).

    Only the ASCII digits count as digits: str.isdigit() also accepts '²' (which int()
    refuses) and '٣' or '５' (which int() reads as 3 and 5, a score nobody typed here).
    """
    text = line.strip().lower()
    if text == "q":
        return "quit", None
    if text == "s":
        return "skip", None
    if text == "e":
        return "save", None
    if text == "" and guess is not None:
        return "save", guess
    if len(text) == 1 and text in DIGITS:
        return "save", DIGITS.index(text)
    return "again", None


def run_review(store: SheetStore, stdin: TextIO, stdout: TextIO,
               include_all: bool = False) -> dict[str, int]:
    """Go through the pending cells; returns counts of corrected, skipped and left cells."""
    items = pending(store, include_all)
    counts = {"corrected": 0, "skipped": 0, "left": len(items)}
    if not items:
        stdout.write("nothing to review\n")
        return counts
    stdout.write(f"{len(items)} cells to review ({HELP})\n")
    for number, item in enumerate(items, 1):
        _show(store, item, number, len(items), stdout)
        while True:
            stdout.write("> ")
            stdout.flush()
            line = stdin.readline()
            action, digit = ("quit", None) if line == "" else parse_answer(line, item["guess"])
            if action != "again":
                break
            stdout.write(f"? {HELP}\n")
        if action == "quit":
            break
        if action == "skip":
            counts["skipped"] += 1
        else:
            store.correct(item["sheet_id"], item["row"], item["col"], digit)
            counts["corrected"] += 1
        counts["left"] -= 1
    return counts
