"""The competition's result: a simulated competition read by the real reader into a real
store, its flagged cells answered, gives the totals and ranks of the truth, in CSV, XLSX and
PDF; ties share a rank; unanswered cells make a contestant not final; labels travel into the
store and every export, escaped."""

from __future__ import annotations

import csv
import io
import shutil

import competition
import pytest

from braintank.cli.main import main
from braintank.sheets.storing.batch import read_batch
from braintank.sheets.storing.export import to_csv
from braintank.sheets.storing.labels import save_template_text
from braintank.sheets.storing.store import SheetStore
from braintank.sheets.tallying.results import compute_results
from braintank.sheets.tallying.results_files import csv_bytes, write_results


@pytest.fixture(scope="module")
def read_competition(tmp_path_factory, mnist_test, classifier):
    """The three sheets read into a store (labels from their layouts), with their truth."""
    folder = tmp_path_factory.mktemp("finals")
    sheets = competition.simulate(mnist_test, folder)
    with SheetStore(folder / "finals.db") as store:
        for _path, layout, _sheet in sheets:
            save_template_text(store, layout)
        report = read_batch([p for p, _l, _s in sheets], store, classifier, log=lambda _m: None)
    assert report.read == 3 and not report.failed
    return folder / "finals.db", sheets


@pytest.fixture()
def store_copy(read_competition, tmp_path):
    db, sheets = read_competition
    shutil.copyfile(db, tmp_path / "finals.db")
    return tmp_path / "finals.db", sheets


def _answer_flagged(store: SheetStore, sheets, leave: int = 0) -> list[dict]:
    """Answer every cell sent to review with the truth (but the first `leave`)."""
    truth = {(str(path), row, col): digit for path, _l, sheet in sheets
             for (row, col), digit in sheet.truth.items()}
    flagged = [r for r in store.results() if r["status"] == "review"]
    for r in flagged[leave:]:
        store.correct(r["sheet_id"], r["row"], r["col"], truth[(r["file"], r["row"], r["col"])],
                      who="Ana")
    return flagged[:leave]


def test_the_simulated_competition_gives_the_totals_and_ranks_of_the_truth(store_copy,
                                                                           tmp_path):
    db, sheets = store_copy
    table = competition.truth_scores(sheets)
    with SheetStore(db) as store:
        flagged = [r for r in store.results() if r["status"] == "review"]
        assert flagged, "the simulated sheets should send some cells to review"
        _answer_flagged(store, sheets)
        # A judge changes their mind after the sheets were read: a person corrects the box.
        first = store.results()[0]
        table[first["row_label"]][first["col_label"]] = 9
        store.correct(first["sheet_id"], first["row"], first["col"], 9, who="Bo")
        results = compute_results(store.results())
    expected = competition.truth_result(table)
    got = {c.name: (c.total, c.rank) for c in results.contestants}
    assert got == expected
    assert results.judges == competition.JUDGES and results.title == competition.TITLE
    assert all(c.final for c in results.contestants) and results.open_cells() == []
    for c in results.contestants:
        assert c.tied == (sum(t == c.total for t, _r in expected.values()) > 1)

    lines = list(csv.DictReader(io.StringIO(csv_bytes(results).decode())))
    assert len(lines) == 20
    by_name = {line["contestant"].removeprefix("'"): line for line in lines}
    assert set(by_name) == set(competition.CONTESTANTS)
    assert by_name['=Zoë "Z"']["contestant"] == "'=Zoë \"Z\""  # a formula starter, escaped
    for name, (total, rank) in expected.items():
        assert (int(by_name[name]["total"]), int(by_name[name]["rank"])) == (total, rank)
        scores = by_name[name]
        for judge in competition.JUDGES:
            header = "'" + judge if judge[0] in "=+-@" else judge
            shown = scores[header]
            assert shown == ("" if table[name][judge] is None else str(table[name][judge]))

    write_results(results, tmp_path / "r.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "r.xlsx")
    cells = [c for row in book["Results"].iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]  # no name ever became a formula
    names = {c.value for c in cells if c.column == 2}
    assert set(competition.CONTESTANTS) <= names

    write_results(results, tmp_path / "r.pdf")
    import pypdfium2

    assert len(pypdfium2.PdfDocument(str(tmp_path / "r.pdf"))) == 1  # 20 fit on one page


def test_unanswered_cells_mark_contestants_not_final_and_are_listed(store_copy, tmp_path,
                                                                    capsys):
    db, sheets = store_copy
    with SheetStore(db) as store:
        left = _answer_flagged(store, sheets, leave=1)
        results = compute_results(store.results())
    (name, judge, score), = results.open_cells()
    assert score.state == "unanswered" and f"row {left[0]['row']} column {left[0]['col']}" in \
        score.where[0]
    assert [c.name for c in results.contestants if not c.final] == [name]
    code = main(["sheet", "results", "--db", str(db), "--out", str(tmp_path / "r.csv")])
    out = capsys.readouterr().out
    assert code == 0 and "20 contestants x 7 judges" in out and "1 not final" in out
    assert f"not final: {name} / {judge}: sent to review" in out
    lines = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    line = next(x for x in lines if x["final"] == "no")
    assert "sent to review, not answered yet" in line["open_cells"]
    assert main(["sheet", "results", "--db", str(db), "--out", str(tmp_path / "r.pdf")]) == 0
    import pypdfium2

    assert len(pypdfium2.PdfDocument(str(tmp_path / "r.pdf"))) == 2  # + the cells to decide


def test_every_export_carries_the_labels_title_reviewer_and_time(store_copy):
    db, sheets = store_copy
    with SheetStore(db) as store:
        _answer_flagged(store, sheets)
        rows = list(csv.DictReader(io.StringIO(to_csv(store.results()), newline="")))
    assert len(rows) == 3 * 7 * 7 - 7
    zoe = [r for r in rows if r["row_label"] == "'=Zoë \"Z\""]
    assert len(zoe) == 7 and {r["title"] for r in rows} == {competition.TITLE}
    assert [r["col_label"] for r in zoe] == ["J=1", "Anne, B", '"Q"', "Łukasz", "'-5", "Fé",
                                             "G"]
    answered = [r for r in rows if r["status"] in ("corrected", "empty", "unreadable")
                and r["reviewer"]]
    assert answered and all(r["reviewer"] == "Ana" and r["answered_at"].endswith("Z")
                            for r in answered)
    assert all(r["reviewer"] == "" == r["answered_at"] for r in rows if r["status"] == "ok")


def test_ranks_share_ties_and_an_empty_box_is_no_score():
    def cell(row, col, digit, status="ok"):
        return {"sheet_id": 1, "file": "a.png", "page": 1, "row": row, "col": col,
                "digit": digit, "status": status, "corrected": False, "corrected_digit": None,
                "row_label": "ABCD"[row - 1], "col_label": f"J{col}", "title": "T"}

    rows = [cell(1, 1, 5), cell(1, 2, 4), cell(2, 1, 9), cell(2, 2, None, "empty"),
            cell(3, 1, 9), cell(3, 2, 0), cell(4, 1, 1), cell(4, 2, 1)]
    results = compute_results(rows)
    ranks = [(c.name, c.total, c.rank, c.tied) for c in results.contestants]
    assert ranks == [("A", 9, 1, True), ("B", 9, 1, True), ("C", 9, 1, True),
                     ("D", 2, 4, False)]
    means = {c.name: c.mean for c in results.contestants}
    assert means == {"A": 4.5, "B": 9.0, "C": 4.5, "D": 1.0}


def test_read_with_a_layout_keeps_its_text_and_delete_takes_a_sheet_out(read_competition,
                                                                        tmp_path, capsys):
    _db, sheets = read_competition
    path, layout, _sheet = sheets[2]
    (tmp_path / "layout.json").write_text(layout.to_json())
    db, out = tmp_path / "s.db", tmp_path / "r.csv"
    assert main(["sheet", "read", str(path), "--layout", str(tmp_path / "layout.json"),
                 "--db", str(db), "--out", str(out), "--quiet"]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    assert {r["row_label"] for r in rows} == set(competition.CONTESTANTS[14:])
    assert {r["title"] for r in rows} == {competition.TITLE}
    with SheetStore(db) as store:
        flagged = next(r for r in store.results() if r["status"] != "empty")
        store.correct(flagged["sheet_id"], flagged["row"], flagged["col"], 5, who="Ana")
    capsys.readouterr()
    assert main(["sheet", "delete", str(path), "--db", str(db)]) == 0
    assert "deleted; 1 answers given on it stay in the log" in capsys.readouterr().out
    assert main(["sheet", "delete", "1", "--db", str(db)]) == 2  # braintank errors exit 2
    assert "no sheet 1 (already deleted)" in capsys.readouterr().err
    assert main(["sheet", "results", "--db", str(db), "--out", str(tmp_path / "t.csv")]) == 2
    assert "no sheet read yet" in capsys.readouterr().err
    assert main(["sheet", "results", "--db", str(db), "--out", str(tmp_path / "t.ods")]) == 2
    assert "results are written as .csv, .xlsx, .pdf" in capsys.readouterr().err
    # Reading the same page again brings the sheet back, with its answer.
    assert main(["sheet", "read", str(path), "--db", str(db), "--out", str(out),
                 "--quiet"]) == 0
    with SheetStore(db) as store:
        assert [r["corrected_digit"] for r in store.results() if r["corrected"]] == [5]
