"""Reading jobs are bounded and can be stopped: a PDF of more pages than braintank reads from
one file is refused by name (a 12 MB PDF of 100,000 blank pages was 14 hours of reading),
batches take turns page by page (a sheet uploaded after a long batch does not wait for it),
and a job can be cancelled between two pages, keeping what it read."""

from __future__ import annotations

import time

import pypdfium2 as pdfium

from braintank.imaging.images import MAX_PAGES


def _blank_pdf(pages: int, size: tuple[float, float] = (595, 842)) -> bytes:
    import io

    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(*size)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _wait(client, job: int, until, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while not until(progress := client.get(f"/api/jobs/{job}").json()):
        assert time.monotonic() < deadline, progress
        time.sleep(0.1)
    return progress


def _finished(progress: dict) -> bool:
    return progress["state"] in ("done", "failed", "cancelled")


def test_a_pdf_over_the_page_cap_is_refused_by_name(client):
    data = _blank_pdf(MAX_PAGES + 1, (20, 20))
    job = client.post("/api/sheets", files=[("files", ("huge.pdf", data, "application/pdf"))])
    progress = _wait(client, job.json()["job"], _finished)
    assert progress["state"] == "done" and progress["pages_read"] == 0
    (failed,) = progress["failed"]
    assert failed.startswith("huge.pdf: PDF with 1,001 pages, more than the 1000")


def test_batches_take_turns_and_a_job_can_be_cancelled(client, flagged_sheet):
    long = client.post("/api/sheets", files=[
        ("files", ("blank.pdf", _blank_pdf(300), "application/pdf"))]).json()["job"]
    _wait(client, long, lambda p: p["state"] == "reading")
    short = client.post("/api/sheets", files=[
        ("files", ("judge.png", flagged_sheet, "image/png"))]).json()["job"]
    assert _wait(client, short, _finished)["pages_read"] == 1
    assert client.get(f"/api/jobs/{long}").json()["state"] == "reading"  # not waited for
    asked = client.post(f"/api/jobs/{long}/cancel")
    assert asked.status_code == 200
    cancelled = _wait(client, long, _finished, 30)
    assert cancelled["state"] == "cancelled"
    assert len(cancelled["failed"]) < 300  # stopped between pages, what was read is kept
    assert client.post(f"/api/jobs/{short}/cancel").json()["state"] == "done"  # finished
    assert client.post("/api/jobs/999/cancel").status_code == 404
    assert [s["file"] for s in client.get("/api/sheets").json()["sheets"]] == ["judge.png"]
