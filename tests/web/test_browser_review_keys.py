"""Keyboard review in real Chromium on a store of 100 flagged cells: typed as fast as keys go,
every key is an answer to the next cell, none dropped, none waited for (each answer's round
trip measured); undo brings a cell back; Enter on a focused button is that button's, not an
answer; skipping every cell says so and offers them again."""

from __future__ import annotations

import json

import pytest

from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.store import SheetStore

from .browser import ARTIFACTS
from .helpers import Server

SHEETS, SIDE = 4, 5  # 4 sheets of 5x5: 100 flagged cells


def _flagged_store(db, mnist_test) -> list[tuple[int, int, int]]:
    """Pages as the reader stores them, every cell sent to review; the cells in queue order."""
    images, labels = mnist_test
    order = []
    with SheetStore(db) as store:
        for s in range(SHEETS):
            cells = [CellReading(1 + i // SIDE, 1 + i % SIDE, None, 0.5, "review",
                                 "confidence below 0.769", guess=int(labels[s * 25 + i]),
                                 probabilities=[0.1] * 10, crop=255 - images[s * 25 + i])
                     for i in range(SIDE * SIDE)]
            sheet = store.save_page(f"{s:064x}", 1, f"sheet-{s}.png",
                                    PageReading(f"{SIDE}x{SIDE}-00", cells), "m")
            order += [(sheet, c.row, c.col) for c in cells]
    return order


@pytest.fixture()
def flagged(tmp_path, mnist_test):
    order = _flagged_store(tmp_path / "sheets.db", mnist_test)
    server = Server(tmp_path).start()
    yield server, order
    server.kill()


def _start(page, url: str) -> None:
    page.goto(url + "/review")
    page.locator("#who").fill("Ana")
    page.locator("#who").press("Enter")
    page.wait_for_selector("#card:not([hidden])")


def _log(server) -> list[tuple]:
    with SheetStore(server.folder / "sheets.db") as store:
        return store.query("SELECT sheet_id, row, col, digit, who, undone_at IS NOT NULL "
                           "FROM correction_log ORDER BY id")


def test_keyboard_review_of_100_flagged_cells_drops_no_key(page, flagged):
    server, order = flagged
    _start(page, server.url)
    for k in range(len(order)):  # no waiting between keys
        page.keyboard.press(str(k % 10))
    page.wait_for_function(f"window.answerRoundTrips.length === {len(order)}",
                           timeout=120_000)
    page.wait_for_selector("#done:not([hidden])")
    assert page.locator("#done-text").inner_text() == "Nothing left to review."
    log = _log(server)
    assert [(s, r, c) for s, r, c, *_ in log] == order  # each key to the next cell, in order
    assert [d for _s, _r, _c, d, _w, _u in log] == [k % 10 for k in range(len(order))]
    trips = sorted(page.evaluate("window.answerRoundTrips"))
    p50, p95 = trips[len(trips) // 2], trips[int(0.95 * len(trips)) - 1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "review-speed.json").write_text(json.dumps(
        {"answers": len(trips), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
         "max_ms": round(trips[-1], 1)}) + "\n")
    # The goal is 100 ms on an idle machine; this bound only catches a page that waits on
    # something else (a shared 2-core machine under load can take a few times longer).
    assert p95 < 1000, trips


def test_undo_enter_on_a_button_quick_keys_and_skipping_everything(page, flagged):
    server, order = flagged
    _start(page, server.url)
    first = page.locator("#where").inner_text()
    page.keyboard.press("9")
    page.wait_for_function(f"document.getElementById('where').textContent !== {first!r}")
    page.wait_for_function("document.getElementById('saved').textContent.startsWith('saved')")
    page.keyboard.press("Backspace")
    page.wait_for_function("document.getElementById('saved').textContent.startsWith("
                           "'undone')")
    assert page.locator("#where").inner_text() == first
    assert _log(server) == [(*order[0], 9, "Ana", 1)]

    page.focus("#rename")  # Enter on a focused button presses it; it is not an answer
    page.keyboard.press("Enter")
    page.wait_for_selector("#who-panel:not([hidden])")
    page.locator("#who").press("Enter")  # the same name again
    page.wait_for_selector("#card:not([hidden])")
    assert len(_log(server)) == 1

    page.keyboard.type("12")  # two quick keys: two answers, two cells
    page.wait_for_function("window.answerRoundTrips.length === 3")  # with the 9
    assert [(s, r, c, d) for s, r, c, d, _w, u in _log(server) if not u] == [
        (*order[0], 1), (*order[1], 2)]

    left = len(order) - 2
    for _ in range(left):
        page.keyboard.press("s")
    page.wait_for_selector("#done:not([hidden])")
    assert page.locator("#done-text").inner_text() == \
        f"You skipped {left} cells; nothing else is left."
    page.click("#again")
    page.wait_for_selector("#card:not([hidden])")
    assert page.locator("#where").inner_text().endswith("row 1, column 3")
