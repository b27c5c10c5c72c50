"""Sheets in real headless Chromium: upload a simulated photo, review a flagged cell with the
keyboard alone, download the CSV and find the correction in it; templates and model pages."""

from __future__ import annotations

import csv
import io
import re

from .browser import screenshot


def test_upload_review_with_the_keyboard_and_export(server, page, flagged_sheet, tmp_path):
    scan = tmp_path / "judge-1.jpg"
    scan.write_bytes(flagged_sheet)
    page.goto(server.url + "/sheets")
    page.set_input_files("#files", str(scan))
    page.click("#send")
    page.wait_for_selector("#sheets tr[data-sheet]")
    page.wait_for_selector("#batch-links a")
    assert "1 pages read" in page.locator("#progress-text").inner_text()
    row = page.locator("#sheets tr").first.locator("td").all_inner_texts()
    assert row[0] == "judge-1.jpg" and int(row[3]) >= 1  # review count
    screenshot(page, "sheets")

    page.click("text=Review this batch")
    page.wait_for_url(re.compile(r"/review\?sheet=\d+"))
    page.locator("#who").fill("Ana")
    page.locator("#who").press("Enter")
    page.wait_for_selector("#card:not([hidden])")
    page.wait_for_function("document.getElementById('crop').naturalWidth > 0")
    left = int(page.locator("#left").inner_text())
    assert left == int(row[3]) and page.locator("#saved").inner_text() == ""  # Enter: name only
    for _ in range(left - 1):  # skip (s) to a cell the model has a guess for, if any
        if page.locator("#guesses").inner_text() != "?":
            break
        page.keyboard.press("s")
    left = int(page.locator("#left").inner_text())
    where = page.locator("#where").inner_text()
    r, c = map(int, re.search(r"row (\d+), column (\d+)", where).groups())
    screenshot(page, "review", for_readme=True)
    guess = page.locator("#guesses").inner_text()
    typed = "7" if guess != "7" else "4"  # an answer that differs from the model's
    page.keyboard.press(typed)
    page.wait_for_function(f"document.getElementById('saved').textContent.includes("
                           f"'row {r}, column {c} = {typed}')")
    if left > 1:
        assert int(page.locator("#left").inner_text()) == left - 1
    else:
        page.wait_for_selector("#done:not([hidden])")

    page.goto(server.url + "/sheets")
    page.wait_for_selector("#sheets tr[data-sheet]")
    with page.expect_download() as download:
        page.click("#sheets tr >> text=CSV")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    corrected = [x for x in rows if (x["row"], x["col"]) == (str(r), str(c))]
    assert [(x["digit"], x["status"]) for x in corrected] == [(typed, "corrected")]
    assert rows[0]["file"] == "judge-1.jpg"


def test_templates_page_makes_a_printable_sheet(server, page):
    page.goto(server.url + "/templates")
    page.fill("#rows", "3")
    page.fill("#cols", "4")
    page.fill("#title", "Finals")
    with page.expect_download() as download:
        page.click("#make")
    assert download.value.suggested_filename == "Finals-3x4-sheet.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    page.wait_for_function("document.getElementById('preview').naturalWidth > 0")
    screenshot(page, "templates")
    page.fill("#rows", "99")  # the form itself refuses it
    assert page.locator("#rows").evaluate("e => e.validity.valid") is False
    page.fill("#rows", "3")
    page.fill("#title", "T" * 300)  # the server refuses it, and the page says why
    page.click("#make")
    page.wait_for_function("document.getElementById('error').textContent.includes('title')")


def test_model_page_shows_the_measured_numbers(server, page):
    page.goto(server.url + "/models")
    page.wait_for_selector("#facts tr")
    text = page.locator("#facts").inner_text()
    assert "default.pt (shipped with braintank)" in text
    assert re.search(r"Test accuracy\s+\d+\.\d\d%", text)
    assert re.search(r"Review threshold in use\s+\d+\.\d\d%", text)
    page.wait_for_function("document.getElementById('labeled').textContent !== ''")
    assert "corrected digits collected" in page.locator("#labeled").inner_text()
    assert not page.locator("#switch").is_visible()  # nothing finetuned yet
    screenshot(page, "models")
