"""Sheets through the API: upload, progress, counts, the review queue, corrections with who
and when, the CSV per sheet and per batch; bad uploads and unknown cells are clear errors."""

from __future__ import annotations

import csv
import io
import time

import pytest

from braintank.sheets.storing.store import SheetStore


def wait_for(client, job: int) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        progress = client.get(f"/api/jobs/{job}").json()
        if progress["state"] in ("done", "failed"):
            return progress
        time.sleep(0.2)
    raise AssertionError("the upload was not read within 120 s")


@pytest.fixture()
def uploaded(client, flagged_sheet):
    answer = client.post("/api/sheets", files=[
        ("files", ("judge 1.png", flagged_sheet, "image/png")),
        ("files", ("notes.txt", b"%PDF-1.4 not really a pdf", "text/plain"))])
    assert answer.status_code == 202
    return wait_for(client, answer.json()["job"])


def test_upload_is_read_and_listed_with_counts(client, uploaded, tmp_path):
    assert uploaded["state"] == "done"
    assert (uploaded["files_total"], uploaded["files_done"], uploaded["pages_read"]) == (2, 2, 1)
    assert len(uploaded["failed"]) == 1 and uploaded["failed"][0].startswith("notes.txt: ")
    (sheet,) = client.get("/api/sheets").json()["sheets"]
    assert sheet["file"] == "judge 1.png" and sheet["page"] == 1
    assert sheet["ok"] + sheet["review"] + sheet["empty"] == 20
    assert sheet["review"] >= 1 and sheet["left"] == sheet["review"]
    stored = sorted(p.name for p in (tmp_path / "uploads").rglob("*") if p.is_file())
    assert stored == ["judge 1.png", "notes.txt"]  # accepted by content, whatever the name


def test_a_correction_is_stored_with_who_and_when_and_exported(client, uploaded, tmp_path):
    queue = client.get("/api/review").json()
    first = queue["items"][0]
    assert queue["left"] == len(queue["items"]) >= 1
    assert len(first["top"]) == 3 and first["top"][0]["probability"] >= first["top"][1][
        "probability"]
    crop = client.get(f"/api/cells/{first['cell_id']}/crop.png")
    assert crop.status_code == 200 and crop.content.startswith(b"\x89PNG")
    digit = (first["top"][1]["digit"])  # not the model's first choice
    saved = client.post("/api/corrections", json={
        "sheet_id": first["sheet_id"], "row": first["row"], "col": first["col"],
        "answer": str(digit), "who": "Ana"})
    assert saved.status_code == 200
    assert client.get("/api/review").json()["left"] == queue["left"] - 1
    with SheetStore(tmp_path / "sheets.db") as store:
        log = store.query("SELECT digit, who, corrected_at FROM correction_log")
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert log[0][:2] == (digit, "Ana") and abs(log[0][2] - time.time()) < 60
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/api/export.csv?sheet={first['sheet_id']}").text)))
    cell = next(r for r in rows if (r["row"], r["col"]) == (str(first["row"]),
                                                           str(first["col"])))
    assert (cell["file"], cell["digit"], cell["status"]) == ("judge 1.png", str(digit),
                                                             "corrected")
    assert len(rows) == 20


def test_empty_and_unreadable_answers(client, uploaded):
    items = client.get("/api/review").json()["items"]
    if len(items) < 2:
        pytest.skip("the simulated sheet has a single flagged cell")
    for item, answer in zip(items, ("empty", "unreadable"), strict=False):
        assert client.post("/api/corrections", json={
            "sheet_id": item["sheet_id"], "row": item["row"], "col": item["col"],
            "answer": answer, "who": "Bo"}).status_code == 200
    rows = {(r["row"], r["col"]): r for r in csv.DictReader(io.StringIO(
        client.get("/api/export.csv").text))}
    first, second = ((str(i["row"]), str(i["col"])) for i in items[:2])
    assert (rows[first]["digit"], rows[first]["status"]) == ("", "empty")
    assert (rows[second]["digit"], rows[second]["status"]) == ("", "unreadable")


def test_bad_corrections_are_clear_errors(client, uploaded):
    item = client.get("/api/review").json()["items"][0]
    cell = {"sheet_id": item["sheet_id"], "row": item["row"], "col": item["col"]}
    bad = client.post("/api/corrections", json={**cell, "answer": "12", "who": "Ana"})
    assert bad.status_code == 422 and "digit 0-9" in bad.json()["error"]
    nobody = client.post("/api/corrections", json={**cell, "answer": "1", "who": ""})
    assert nobody.status_code == 422 and "who" in nobody.json()["error"]
    nowhere = client.post("/api/corrections", json={**cell, "row": 99, "answer": "1",
                                                    "who": "Ana"})
    assert nowhere.status_code == 404 and "no cell" in nowhere.json()["error"]
    assert client.get("/api/export.csv?sheet=999").status_code == 404
    assert client.get("/api/jobs/999").status_code == 404


def test_path_in_an_upload_name_never_reaches_the_disk(client, flagged_sheet, tmp_path):
    answer = client.post("/api/sheets", files=[
        ("files", ("../../etc/evil.png", flagged_sheet, "image/png")),
        ("files", ("..", flagged_sheet + b"1", "image/png")),
        ("files", ("C:\\x\\.hidden evil", flagged_sheet + b"2", "image/png"))])
    assert answer.json()["files"] == ["evil.png", "..", ".hidden evil"]
    wait_for(client, answer.json()["job"])
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.parent != tmp_path)
    assert all(p.parent.parent == tmp_path / "uploads" for p in written)
    assert sorted(p.name for p in written) == ["evil.png", "hidden evil", "scan"]


def test_template_download(client):
    pdf = client.get("/api/template?rows=3&cols=4&title=Finals&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert 'filename="Finals-3x4-sheet.pdf"' in pdf.headers["content-disposition"]
    layout = client.get("/api/template?rows=2&cols=2&format=json&row_label=A&row_label=B")
    assert layout.json()["rows"] == 2
    too_big = client.get("/api/template?rows=99&cols=4")
    assert too_big.status_code == 400 and "rows" in too_big.json()["error"]
    assert client.get("/api/template?rows=2&cols=2&format=exe").status_code == 422


def test_a_pdf_upload_is_read_page_by_page(client, flagged_sheet):
    from PIL import Image

    pdf = io.BytesIO()
    Image.open(io.BytesIO(flagged_sheet)).convert("L").save(pdf, "PDF", resolution=200)
    answer = client.post("/api/sheets", files=[("files", ("scans.pdf", pdf.getvalue(),
                                                          "application/pdf"))])
    done = wait_for(client, answer.json()["job"])
    assert (done["pages_read"], done["failed"]) == (1, [])
    (sheet,) = client.get("/api/sheets").json()["sheets"]
    assert (sheet["file"], sheet["page"]) == ("scans.pdf", 1)
