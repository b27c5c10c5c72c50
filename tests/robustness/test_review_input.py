"""The review prompt takes ASCII digits 0-9, e, s, q and Enter; anything else is asked again.

'²'.isdigit() and '٣'.isdigit() are true in Python; such answers must neither crash nor be
stored as a score the person did not type.
"""

from __future__ import annotations

import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from braintank.cli.main import main
from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.review import parse_answer, run_review
from braintank.sheets.storing.store import SheetStore

ACTIONS = {"save", "skip", "quit", "again"}


def _store(path) -> SheetStore:
    store = SheetStore(path)
    cells = [CellReading(1, 1, None, 0.4, "review", "low", guess=7,
                         crop=np.full((20, 20), 200, np.uint8))]
    store.save_page("abc", 1, "scan.png", PageReading("1x1-00", cells), "m")
    return store


def _corrections(store: SheetStore) -> list:
    return store.query("SELECT digit FROM corrections")


def test_unicode_digits_are_asked_again(tmp_path):
    with _store(tmp_path / "r.db") as store:
        out = io.StringIO()
        answers = "\u00b2\n\u0663\n\uff15\n\u2075\n\U0001d7d8\n12\n 4 \n"
        counts = run_review(store, io.StringIO(answers), out)
        assert counts == {"corrected": 1, "skipped": 0, "left": 0}
        assert out.getvalue().count("? digit 0-9") == 6
        assert _corrections(store) == [(4,)]


def test_undecodable_input_is_asked_again(tmp_path, monkeypatch, capsys):
    _store(tmp_path / "r.db").close()
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\xfe\n\xc3\n8\n"), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["sheet", "review", "--db", str(tmp_path / "r.db")]) == 0
    assert "1 corrected" in capsys.readouterr().out
    with SheetStore(tmp_path / "r.db") as store:
        assert _corrections(store) == [(8,)]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.integers(0, 9)))
def test_any_answer_is_one_of_the_allowed_actions(line, guess):
    action, digit = parse_answer(line, guess)
    assert action in ACTIONS
    if action == "save":
        assert digit is None or (type(digit) is int and 0 <= digit <= 9)
        stripped = line.strip().lower()
        if digit is not None and stripped:
            assert stripped == str(digit)  # only the ASCII digit itself is read as one
    else:
        assert digit is None


def test_the_allowed_answers():
    assert [parse_answer(c, 5) for c in "0123456789"] == [("save", d) for d in range(10)]
    assert parse_answer("\n", 5) == ("save", 5)
    assert parse_answer("\n", None) == ("again", None)
    assert parse_answer(" E\n", 5) == ("save", None)
    assert parse_answer("S", 5) == ("skip", None)
    assert parse_answer("q\n", 5) == ("quit", None)
