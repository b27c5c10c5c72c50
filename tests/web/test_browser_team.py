"""A scoring day in real Chromium: three simulated sheets of a competition read by a real
server; two reviewers in two browser contexts answer the same sheets at once (each handed
different cells, no answer lost); a conflict in the sheet view is shown with what the other
person answered; the final CSV equals the truth and the results page ranks as the truth does."""

from __future__ import annotations

import csv
import io
import re
import sys
import time
from pathlib import Path

import httpx
import pytest

from .browser import screenshot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sheets"))
import competition  # noqa: E402


@pytest.fixture(scope="module")
def finals(server, mnist_test, tmp_path_factory):
    """The three sheets read by the server, their templates' text kept; the truth by
    (uploaded name, row, col)."""
    sheets = competition.simulate(mnist_test, tmp_path_factory.mktemp("finals"))
    for _path, layout, _sheet in sheets:
        httpx.post(server.url + "/api/layouts", json={
            "rows": layout.rows, "cols": layout.cols, "title": layout.title,
            "row_labels": layout.row_labels, "col_labels": layout.col_labels}).raise_for_status()
    files = [("files", (p.name, p.read_bytes(), "image/jpeg")) for p, _l, _s in sheets]
    job = httpx.post(server.url + "/api/sheets", files=files, timeout=60).json()["job"]
    deadline = time.monotonic() + 300
    while httpx.get(f"{server.url}/api/jobs/{job}").json()["state"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    truth = {(p.name, row, col): digit for p, _l, sheet in sheets
             for (row, col), digit in sheet.truth.items()}
    return sheets, truth


def _reviewer(browser, server, name: str):
    context = browser.new_context(viewport={"width": 900, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server.url + "/review")
    page.locator("#who").fill(name)
    page.locator("#who").press("Enter")
    page.wait_for_function("!document.getElementById('card').hidden || "
                           "!document.getElementById('done').hidden")
    return context, page


def _answer_shown(page, truth) -> tuple | None:
    """Answer the card shown with the truth; the cell, or None when no card is shown."""
    if page.locator("#card").is_hidden():
        return None
    where = page.locator("#where").inner_text()
    file, row, col = re.fullmatch(r"(.+), page 1, row (\d+), column (\d+)", where).groups()
    digit = truth[(file, int(row), int(col))]
    page.keyboard.press("e" if digit is None else str(digit))
    page.wait_for_function(f"document.getElementById('where').textContent !== {where!r} || "
                           "document.getElementById('card').hidden")
    return file, int(row), int(col)


def test_two_reviewers_a_conflict_and_the_final_results(browser, server, finals):
    sheets, truth = finals
    flagged = httpx.get(server.url + "/api/review").json()["left"]
    assert flagged >= 6
    (ctx_a, ana), (ctx_b, bo) = _reviewer(browser, server, "Ana"), _reviewer(browser, server,
                                                                           "Bo")
    seen = {"Ana": [], "Bo": []}
    deadline = time.monotonic() + 240
    while len(seen["Ana"]) + len(seen["Bo"]) < flagged:
        assert time.monotonic() < deadline, seen
        for name, page in (("Ana", ana), ("Bo", bo)):
            cell = _answer_shown(page, truth)
            if cell:
                seen[name].append(cell)
        if ana.locator("#card").is_hidden() and bo.locator("#card").is_hidden():
            time.sleep(0.5)  # a claim being handed over; the pages ask again
    assert seen["Ana"] and seen["Bo"] and not set(seen["Ana"]) & set(seen["Bo"])
    for page in (ana, bo):
        page.wait_for_function("document.getElementById('saved').textContent.startsWith("
                               "'saved:')")
    screenshot(bo, "review-team")

    # Both look at the same sheet; Bo answers a cell, then Ana (still showing it) too.
    sheet_id = next(s["id"] for s in httpx.get(server.url + "/api/sheets").json()["sheets"]
                    if s["file"] == "finals-1.jpg")
    for page in (ana, bo):
        page.goto(f"{server.url}/sheet?id={sheet_id}")
        page.wait_for_selector(".cell")
    row, col = next((r, c) for (f, r, c), d in sorted(truth.items())
                    if f == "finals-1.jpg" and d is not None and (f, r, c) not in
                    seen["Ana"] + seen["Bo"])  # a cell the model read alone
    right = truth[("finals-1.jpg", row, col)]
    wrong = (right + 1) % 10
    for page in (ana, bo):
        page.click(f'.cell[data-row="{row}"][data-col="{col}"]')
    bo.keyboard.press(str(right))
    bo.wait_for_function("document.getElementById('by').textContent.includes('Bo')")
    ana.keyboard.press(str(wrong))
    ana.wait_for_selector("#conflict-list li")
    said = ana.locator("#conflict-list li").inner_text()
    assert f"Bo answered {right} after this page showed it; you answered {wrong}" in said
    screenshot(ana, "sheet-conflict")
    ana.click(f"#conflict-list >> text=Keep {right}")
    history = bo.locator("#history").inner_text()
    assert f"{right} by Bo" in history and f"{wrong} by Ana" not in history

    rows = list(csv.DictReader(io.StringIO(httpx.get(server.url + "/api/export.csv").text)))
    assert len(rows) == len(truth)
    for r in rows:
        expected = truth[(r["file"], int(r["row"]), int(r["col"]))]
        assert r["digit"] == ("" if expected is None else str(expected)), r
    assert {r["reviewer"] for r in rows} == {"", "Ana", "Bo"}

    ana.goto(server.url + "/results")
    ana.wait_for_selector("#table tbody tr")
    expected = competition.truth_result(competition.truth_scores(sheets))
    for tr in ana.locator("#table tbody tr").all():
        cells = tr.locator("td").all_inner_texts()
        total, rank = expected[cells[1]]
        assert (cells[0].rstrip("="), cells[-3], cells[-1]) == (str(rank), str(total), "yes")
    assert ana.locator("#open-panel").is_hidden()
    screenshot(ana, "results")
    with ana.expect_download() as download:
        ana.click("#xlsx")
    assert download.value.path().read_bytes().startswith(b"PK")
    ctx_a.close()
    ctx_b.close()
