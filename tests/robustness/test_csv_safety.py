"""results.csv survives hostile file names: CR/LF, commas, quotes and formula starters.

Read back with Python's csv module it gives exactly the rows written; a text cell that a
spreadsheet would run as a formula (first character = + - @ tab CR LF NUL) has a ' in front.
"""

from __future__ import annotations

import csv
import io
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from braintank.cli.main import main
from braintank.csvfile import FORMULA_TRIGGERS, csv_text, neutralize_formula
from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.export import COLUMNS, LABEL_COLUMNS, export_csv, to_csv
from braintank.sheets.storing.store import SheetStore

from .conftest import model_path

HOSTILE_NAMES = ["line\nbreak.jpg", "carriage\rreturn.jpg", "both\r\n.jpg", "trail\r",
                 "=HYPERLINK(\"http://x\",\"y\").jpg", "+1.jpg", "-2+3.jpg", "@SUM(A1).jpg",
                 "\tTab.jpg", "\rCR.jpg", "comma,and \"quote\".jpg", "'already.jpg",
                 "plain.jpg", "ünïcode ✓.jpg"]


def _expected(text: str) -> str:
    """The documented neutralization, written out independently of the code under test."""
    return "'" + text if text and text[0] in "=+-@\t\r\n\0" else text


def _parse(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _result(name: str, page: int = 1, **extra) -> dict:
    base = {"file": name, "page": page, "row": 1, "col": 2, "digit": 4, "guess": 4,
            "confidence": 0.97, "status": "ok", "reason": "", "corrected_digit": None,
            "corrected": False}
    return {**base, **extra}


def test_hostile_names_round_trip_through_export(tmp_path):
    results = [_result(name, page) for page, name in enumerate(HOSTILE_NAMES, 1)]
    rows = _parse(to_csv(results))
    assert [r["file"] for r in rows] == [_expected(n) for n in HOSTILE_NAMES]
    assert [int(r["page"]) for r in rows] == list(range(1, len(HOSTILE_NAMES) + 1))
    assert all(list(r) == list(COLUMNS + LABEL_COLUMNS) and r["digit"] == "4"
               and r["status"] == "ok"
               for r in rows)


def test_formula_starters_are_neutralized():
    for first in "=+-@\t\r":
        assert neutralize_formula(first + "1+1") == "'" + first + "1+1"
    for safe in ("", "1+1", "scan.jpg", " =1", "'=1", "/tmp/=x.jpg"):
        assert neutralize_formula(safe) == safe


def test_only_text_cells_are_neutralized():
    text = csv_text(["a", "b", "c"], [{"a": -1, "b": -0.5, "c": "-1"}])
    assert text.splitlines()[1] == "-1,-0.5,'-1"


def test_written_file_reads_back_exactly(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        for i, name in enumerate(HOSTILE_NAMES):
            cells = [CellReading(1, 1, 3, 0.99, "ok", "", guess=3)]
            store.save_page(f"sha{i}", 1, name, PageReading("1x1-00", cells), "m")
        assert export_csv(store, tmp_path / "out.csv") == len(HOSTILE_NAMES)
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["file"] for r in rows) == sorted(_expected(n) for n in HOSTILE_NAMES)


def test_undecodable_name_is_escaped_not_a_crash(tmp_path):
    with SheetStore(tmp_path / "r.db") as store:
        export_csv(store, tmp_path / "empty.csv")
    name = b"scan-\xff.jpg".decode("utf-8", "surrogateescape")
    from braintank.csvfile import write_csv

    write_csv(tmp_path / "x.csv", ["file"], [{"file": name}])
    with open(tmp_path / "x.csv", newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [["file"], ["scan-\\udcff.jpg"]]


def test_cli_read_with_hostile_scan_names(tmp_path, scans, classifier, monkeypatch):
    """The whole path: files named with CR, LF and formula starters, given as relative paths."""
    folder, sheets = scans
    names = ["new\nline.jpg", "cr\rname.jpg", "=1+2.jpg", "@x,\"y\".jpg"]
    # Distinct pages: the same page under another name (or with a byte added) is recognised
    # as one already read and not read again.
    sources = ["good1.jpg", "good2.jpg", "upside-down.jpg", "other-template.jpg"]
    for name, source in zip(names, sources, strict=True):
        (tmp_path / name).write_bytes(sheets[source].data)
    monkeypatch.chdir(tmp_path)
    code = main(["sheet", "read", *names, "--out", "results.csv", "--db", "r.db",
                 "--model", str(model_path()), "--quiet"])
    assert code == 0
    with open(tmp_path / "results.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 100 * 3 + 5 * 4
    assert sorted({r["file"] for r in rows}) == sorted(_expected(n) for n in names)
    assert all(r["page"] == "1" and r["status"] in ("ok", "review", "empty") for r in rows)


# Any Unicode text Python can hold in a str read from a file system or typed by a person.
names = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
any_cell = st.one_of(names, st.integers(-10**6, 10**6),
                     st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(names, st.integers(1, 999)), max_size=8))
def test_export_round_trips_any_file_name(entries):
    results = [_result(name, page) for name, page in entries]
    rows = _parse(to_csv(results))
    assert [(r["file"], int(r["page"])) for r in rows] == [
        (_expected(name), page) for name, page in entries]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(any_cell, min_size=3, max_size=3), max_size=6))
def test_csv_text_round_trips_any_cells(table):
    columns = ["a", "b", "c"]
    text = csv_text(columns, [dict(zip(columns, row, strict=True)) for row in table])
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back[0] == columns
    assert back[1:] == [[_expected(v) if isinstance(v, str) else str(v) for v in row]
                        for row in table]
    text_cells = [c for row, original in zip(back[1:], table, strict=True)
                  for c, v in zip(row, original, strict=True) if isinstance(v, str)]
    assert all(not c or c[0] not in FORMULA_TRIGGERS for c in text_cells)


def test_cli_read_with_an_undecodable_scan_name(tmp_path, scans, classifier, monkeypatch):
    """A name with bytes that are not UTF-8 (Python holds them as lone surrogates, which
    SQLite and UTF-8 files refuse) is stored and exported with a visible escape."""
    folder, sheets = scans
    name = os.fsdecode(b"scan-\xff.jpg")
    (tmp_path / name).write_bytes(sheets["good1.jpg"].data)
    monkeypatch.chdir(tmp_path)
    code = main(["sheet", "read", name, "--out", "results.csv", "--db", "r.db",
                 "--crops", os.fsdecode(b"crops-\xfe"), "--model", str(model_path()),
                 "--quiet"])
    assert code == 0
    with open(tmp_path / "results.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 100 and {r["file"] for r in rows} == {"scan-\\udcff.jpg"}
