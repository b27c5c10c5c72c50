"""The terminal review flow, driven through stdin as a person (or a script) would."""

from __future__ import annotations

import io

import numpy as np

from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.export import export_csv
from braintank.sheets.storing.review import ascii_art, pending, run_review
from braintank.sheets.storing.store import SheetStore


def _store(tmp_path) -> SheetStore:
    store = SheetStore(tmp_path / "r.db")
    crop = np.full((40, 40), 230, np.uint8)
    crop[10:30, 18:22] = 20
    cells = [CellReading(1, c, None, 0.4, "review", "low confidence", guess=g, crop=crop)
             for c, g in ((1, 7), (2, 1), (3, 4), (4, None))]
    cells.append(CellReading(1, 5, 3, 0.99, "ok", "", guess=3, crop=crop))
    store.save_page("abc", 1, "scan.png", PageReading("1x5-00", cells), "m")
    return store


def test_review_answers_are_stored(tmp_path):
    store = _store(tmp_path)
    out = io.StringIO()
    counts = run_review(store, io.StringIO("x\n9\n\ns\ne\n"), out)
    assert counts == {"corrected": 3, "skipped": 1, "left": 0}
    assert "@" in out.getvalue() and "model guess 7 (40%)" in out.getvalue()
    export_csv(store, tmp_path / "final.csv")
    rows = [line.split(",") for line in (tmp_path / "final.csv").read_text().splitlines()[1:]]
    assert [(r[4], r[6]) for r in rows] == [("9", "corrected"), ("1", "corrected"),
                                            ("", "review"), ("", "empty"), ("3", "ok")]
    assert [p["col"] for p in pending(store)] == [3]


def test_quit_and_end_of_input_keep_earlier_answers(tmp_path):
    store = _store(tmp_path)
    assert run_review(store, io.StringIO("5\nq\n"), io.StringIO())["corrected"] == 1
    assert run_review(store, io.StringIO("2\n"), io.StringIO())["corrected"] == 1
    assert len(pending(store)) == 2
    store.close()


def test_ascii_art_shows_dark_stroke():
    grey = np.full((40, 40), 255, np.uint8)
    grey[:, 18:22] = 0
    art = ascii_art(grey, width=10).splitlines()
    assert all(line[4:6] == "@@" and line[0] == " " for line in art)
