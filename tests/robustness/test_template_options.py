"""Template options are checked so that every template braintank writes reads back as all
empty: the title stays between the top markers, labels stay beside their row or above their
column, control characters and absurd lengths are refused with one line."""

from __future__ import annotations

import pytest

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.sheets.printing.layout import MAX_LABEL_CHARS, MAX_TITLE_CHARS, make_layout
from braintank.sheets.printing.template import check_text_fits, render_array
from braintank.sheets.reading.reader import read_page


def _accepted(rows, cols, title="", row_labels=None, col_labels=None) -> bool:
    try:
        check_text_fits(make_layout(rows, cols, title, row_labels, col_labels))
    except BraintankError:
        return False
    return True


def _longest(fits, char: str, limit: int) -> str:
    """The longest run of `char` that `fits` accepts (checking the next one is refused)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(char * middle) else (low, middle - 1)
    assert low > 0 and (low == limit or not fits(char * (low + 1)))
    return char * low


def _widest_options(rows: int, cols: int, char: str) -> dict:
    title = _longest(lambda t: _accepted(rows, cols, t), char, MAX_TITLE_CHARS)
    row = _longest(lambda t: _accepted(rows, cols, title, [t] * rows), char, MAX_LABEL_CHARS)
    col = _longest(lambda t: _accepted(rows, cols, title, [row] * rows, [t] * cols), char,
                   MAX_LABEL_CHARS)
    return {"title": title, "row_labels": [row] * rows, "col_labels": [col] * cols}


@pytest.mark.parametrize(("rows", "cols", "char"), [
    (1, 1, "W"), (30, 16, "W"), (1, 16, "M"), (30, 1, "8"), (10, 10, "i"), (4, 3, "g")])
def test_widest_accepted_templates_read_back_empty(rows, cols, char, classifier):
    options = _widest_options(rows, cols, char)
    layout = make_layout(rows, cols, **options)
    check_text_fits(layout)
    reading = read_page(render_array(layout), classifier, layout)
    assert len(reading.cells) == rows * cols
    assert {c.status for c in reading.cells} == {"empty"}, options


def test_accented_labels_with_descenders_fit():
    assert _accepted(10, 10, "Équipe Ågård — Jury", [f"Équipe {i}" for i in range(10)],
                     [f"Jy{i}" for i in range(10)])


@pytest.mark.parametrize(("options", "message"), [
    ({"title": "x" * 100_000}, "title"),
    ({"title": "W" * (MAX_TITLE_CHARS - 1)}, "title"),
    ({"title": "e" + "\u0301" * 40}, "title"),  # combining accents stacked above the page
    ({"title": "two\nlines"}, "control"),
    ({"title": "tab\there"}, "control"),
    ({"title": "nul\x00"}, "control"),
    ({"title": "right-to-left \u202e override"}, "control"),
    ({"title": "line\u2028separator"}, "control"),
    ({"row_labels": ["a", "b\nc", "d"]}, "row label 2"),
    ({"row_labels": ["W" * 30, "b", "c"]}, "row label 1"),
    ({"row_labels": ["a", "b", "x" * (MAX_LABEL_CHARS + 1)]}, "row label 3"),
    ({"col_labels": ["W" * 12, "b"]}, "column label 1"),
    ({"col_labels": ["a", "g" + "\u0301" * 30]}, "column label 2"),
])
def test_over_limit_options_are_refused(options, message):
    with pytest.raises(BraintankError, match=message) as caught:
        check_text_fits(make_layout(3, 2, **options))
    text = str(caught.value)
    assert "\n" not in text and len(text) < 300


def test_cli_refuses_a_huge_title_with_one_line(tmp_path, capsys):
    code = main(["sheet", "template", "--rows", "3", "--cols", "3", "--title", "T" * 100_000,
                 "--out", str(tmp_path / "tpl")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("braintank: error:") and err.count("\n") == 1
    assert len(err) < 300 and not (tmp_path / "tpl").exists()


def test_cli_refuses_a_label_too_wide(tmp_path, capsys):
    code = main(["sheet", "template", "--rows", "2", "--cols", "16", "--col-labels",
                 *["Wide label"] * 16, "--out", str(tmp_path / "tpl")])
    assert code == 2 and "column label 1" in capsys.readouterr().err
    assert not (tmp_path / "tpl").exists()


@pytest.mark.parametrize(("rows", "cols"), [(1.5, 2), (True, 2), ("3", 2)])
def test_rows_and_cols_must_be_integers(rows, cols):
    with pytest.raises(BraintankError, match="rows"):
        make_layout(rows, cols)
