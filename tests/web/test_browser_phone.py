"""Review on a phone in real Chromium: a 390x844 touch screen, the digit pad's targets large
enough for a finger, answers and undo by tapping, the sheets table and the sheet view
without sideways scrolling."""

from __future__ import annotations

import time

import httpx
import pytest

from .browser import screenshot

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture(scope="module")
def sheet_id(server, flagged_sheet) -> int:
    answer = httpx.post(server.url + "/api/sheets", timeout=60,
                        files=[("files", ("judge 1.jpg", flagged_sheet, "image/jpeg"))])
    job = answer.json()["job"]
    deadline = time.monotonic() + 120
    while (progress := httpx.get(f"{server.url}/api/jobs/{job}").json())["state"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    return progress["sheet_ids"][0]


@pytest.fixture()
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_review_with_the_digit_pad_on_a_phone(server, phone, sheet_id):
    phone.goto(f"{server.url}/review?sheet={sheet_id}")
    phone.locator("#who").fill("Ana")
    phone.tap("#start")
    phone.wait_for_selector("#card:not([hidden])")
    buttons = phone.locator("#digit-pad button")
    assert buttons.count() == 15  # 0-9, empty, unreadable, accept, skip, undo
    for box in (buttons.nth(i).bounding_box() for i in range(buttons.count())):
        assert box["width"] >= 44 and box["height"] >= 44, box  # a finger's target
    _no_sideways_scroll(phone)
    screenshot(phone, "review-phone")
    first = phone.locator("#where").inner_text()
    phone.tap('#digit-pad button[data-action="7"]')
    phone.wait_for_function("document.getElementById('saved').textContent.includes('= 7')")
    phone.tap('#digit-pad button[data-action="undo"]')
    phone.wait_for_function("document.getElementById('saved').textContent.startsWith("
                            "'undone')")
    assert phone.locator("#where").inner_text() == first  # the cell is back, first
    phone.tap('#digit-pad button[data-action="empty"]')
    phone.wait_for_function("document.getElementById('saved').textContent.includes("
                            "'= empty')")
    log = httpx.get(f"{server.url}/api/sheets/{sheet_id}").json()
    answered = [c for c in log["cells"] if c["history"]]
    assert [(h["answer"], h["who"], h["undone"]) for h in answered[0]["history"]] == [
        ("7", "Ana", True), ("empty", "Ana", False)]


def test_sheets_and_a_sheet_fit_a_phone_and_a_cell_is_answered_by_tapping(server, phone,
                                                                          sheet_id):
    phone.goto(server.url + "/sheets")
    phone.wait_for_selector("#sheets tr[data-sheet]")
    _no_sideways_scroll(phone)
    screenshot(phone, "sheets-phone")
    phone.tap("#sheets >> text=View")
    phone.wait_for_selector(".cell")
    _no_sideways_scroll(phone)
    phone.tap('.cell[data-row="1"][data-col="1"]')
    phone.wait_for_selector("#detail:not([hidden])")
    phone.tap('#digit-pad button[data-action="4"]')
    phone.locator("#who").fill("Bo")  # asked once, the first time an answer is given
    phone.tap("#start")
    phone.wait_for_function("document.getElementById('by').textContent.includes('Bo')")
    assert phone.locator('.cell[data-row="1"][data-col="1"]').inner_text() == "4"
    screenshot(phone, "sheet-phone")
