"""A crafted layout.json is refused on load with one line naming the file, never a traceback
later in the reader; and every layout that is accepted can be cut into cells."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.sheets.locating.rectify import PageInk
from braintank.sheets.printing.layout import PAGE_A4, Layout, load_layout, make_layout
from braintank.sheets.printing.template import render_array
from braintank.sheets.reading.reader import cut_cells

from . import strategies

VALID = json.loads(make_layout(3, 2, "T", ["a", "b", "c"]).to_json())


def _mutated(change) -> dict:
    data = copy.deepcopy(VALID)
    change(data)
    return data


def _set_box(index, box):
    return lambda d: d["cells"][index].__setitem__("box", box)


def _set(key, value):
    return lambda d: d.__setitem__(key, value)


BAD = {
    "box off the page (right)": _set_box(0, [2400, 500, 2600, 700]),
    "box off the page (below)": _set_box(1, [500, 3400, 700, 3600]),
    "negative coordinates": _set_box(0, [-100, -100, 50, 50]),
    "zero-size box": _set_box(0, [500, 500, 500, 700]),
    "negative size": _set_box(0, [700, 700, 500, 500]),
    "tiny box": _set_box(0, [500, 500, 503, 503]),
    "float coordinates": _set_box(0, [500.5, 500, 700, 700]),
    "huge coordinates": _set_box(0, [10 ** 30, 0, 10 ** 31, 10]),
    "three numbers": _set_box(0, [1, 2, 3]),
    "box is a string": _set_box(0, "0 0 10 10"),
    "boolean coordinates": _set_box(0, [True, True, 500, 500]),
    "overlapping boxes": lambda d: d["cells"][1].__setitem__("box", d["cells"][0]["box"]),
    "duplicate cell": lambda d: d["cells"][1].update(row=d["cells"][0]["row"],
                                                    col=d["cells"][0]["col"]),
    "cell row out of range": lambda d: d["cells"][0].__setitem__("row", 4),
    "cell col zero": lambda d: d["cells"][0].__setitem__("col", 0),
    "missing cell": lambda d: d["cells"].pop(),
    "extra cell": lambda d: d["cells"].append({"row": 1, "col": 1, "box": [10, 10, 90, 90]}),
    "rows disagree with cells": _set("rows", 4),
    "cols disagree with cells": _set("cols", 3),
    "rows as text": _set("rows", "3"),
    "rows as float": _set("rows", 3.0),
    "rows too many": _set("rows", 31),
    "variant too big": _set("variant", 256),
    "variant negative": _set("variant", -1),
    "wrong dpi": _set("dpi", 150),
    "wrong page size": _set("page_px", [2550, 3300]),
    "page size not a list": _set("page_px", 2480),
    "cells not a list": _set("cells", {"row": 1}),
    "cell not an object": lambda d: d["cells"].__setitem__(0, [1, 1, [0, 0, 9, 9]]),
    "cells missing": lambda d: d.pop("cells"),
    "markers missing": lambda d: d.pop("markers"),
    "marker id unknown": lambda d: d["markers"][0].__setitem__("id", 5),
    "marker twice": lambda d: d["markers"].__setitem__(1, d["markers"][0]),
    "marker corners short": lambda d: d["markers"][0].__setitem__("corners", [[0, 0]]),
    "marker corner off the page": lambda d: d["markers"][0]["corners"].__setitem__(
        0, [-5000, 0]),
    "title not text": _set("title", 12),
    "labels not a list": _set("row_labels", "abc"),
    "label not text": _set("row_labels", ["a", 2, "c"]),
    "label count wrong": _set("col_labels", ["x"]),
    "layout_id disagrees": _set("layout_id", "9x9-00"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_crafted_layouts_are_refused(tmp_path, name):
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(_mutated(BAD[name])))
    with pytest.raises(BraintankError, match="not a braintank layout.json") as caught:
        load_layout(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message and len(message) < 300


@pytest.mark.parametrize(("name", "text"), [
    ("NaN", json.dumps(VALID).replace('"rows": 3', '"rows": NaN')),
    ("Infinity in a box", json.dumps(VALID).replace("[", "[Infinity, ", 1)),
    ("1e999", json.dumps(VALID).replace('"variant": ', '"variant": 1e999, "x": ', 1)),
    ("a 5000-digit number", json.dumps(VALID).replace('"rows": 3', '"rows": ' + "9" * 5000)),
    ("top level list", "[1, 2, 3]"),
    ("top level null", "null"),
    ("not JSON", "rows=3"),
    ("empty", ""),
    ("deep nesting", "[" * 100_000 + "]" * 100_000),
    ("not UTF-8", '{"title": "\xff"}'),
])
def test_malformed_files_are_refused(tmp_path, name, text):
    path = tmp_path / "layout.json"
    path.write_bytes(text.encode("latin-1") if name == "not UTF-8" else text.encode())
    with pytest.raises(BraintankError, match="layout") as caught:
        load_layout(path)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_paths_that_are_not_layout_files(tmp_path):
    import os

    os.mkfifo(tmp_path / "fifo.json")  # reading it would wait forever
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "big.json").write_text(" " * 20_000_000)
    for name in ("fifo.json", "dir.json", "big.json", "missing.json"):
        with pytest.raises(BraintankError, match=name):
            load_layout(tmp_path / name)


def test_the_shipped_example_and_fresh_templates_load(tmp_path):
    shipped = Path(__file__).resolve().parents[2] / "docs" / "sheets" / "layout.json"
    assert load_layout(shipped).layout_id == "10x10-6f"
    for rows, cols in ((1, 1), (30, 16), (7, 3)):
        path = tmp_path / f"{rows}x{cols}.json"
        path.write_text(make_layout(rows, cols).to_json())
        assert len(load_layout(path).cells) == rows * cols


def test_cli_refuses_a_crafted_layout_before_reading(tmp_path, capsys):
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(_mutated(_set_box(0, [2400, 500, 2600, 700]))))
    code = main(["sheet", "read", str(tmp_path / "scan.png"), "--layout", str(path),
                 "--out", str(tmp_path / "out.csv"), "--db", str(tmp_path / "r.db")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("braintank: error:") and err.count("\n") == 1
    assert "outside the page" in err
    assert not (tmp_path / "r.db").exists() and not (tmp_path / "out.csv").exists()


# ---- properties -------------------------------------------------------------------------------

json_values = strategies.json_values()


def _paths(data, prefix=()):
    """Every (container, key) in `data`, to pick a place to mutate."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        yield prefix + (key,)
        if isinstance(value, (dict, list)) and value:
            yield from _paths(value, prefix + (key,))


VALID_PATHS = list(_paths(VALID))


@pytest.fixture(scope="module")
def blank_page():
    page = render_array(make_layout(3, 2, "T", ["a", "b", "c"]))
    return page, PageInk(page)


def _load(tmp_path_factory, data) -> Layout | None:
    path = tmp_path_factory.mktemp("layout") / "layout.json"
    path.write_text(json.dumps(data))  # NaN and Infinity are written as JSON extensions
    try:
        return load_layout(path)
    except BraintankError as exc:
        assert "\n" not in str(exc)
        return None


def _assert_usable(layout: Layout, blank_page) -> None:
    width, height = PAGE_A4
    assert len(layout.cells) == layout.rows * layout.cols
    assert len({(c.row, c.col) for c in layout.cells}) == len(layout.cells)
    for cell in layout.cells:
        x0, y0, x1, y1 = cell.box
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    page, ink = blank_page
    cuts = cut_cells(page, ink, layout)
    assert len(cuts) == len(layout.cells)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(json_values)
def test_any_json_is_a_layout_or_a_clear_error(tmp_path_factory, blank_page, data):
    layout = _load(tmp_path_factory, data)
    if layout is not None:
        _assert_usable(layout, blank_page)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(VALID_PATHS), json_values | st.integers(-10 ** 40, 10 ** 40))
def test_mutated_layouts_are_a_layout_or_a_clear_error(tmp_path_factory, blank_page, where,
                                                        value):
    data = copy.deepcopy(VALID)
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    layout = _load(tmp_path_factory, data)
    if layout is not None:
        _assert_usable(layout, blank_page)
