"""Corrections survive the server being killed (SIGKILL, no clean shutdown) and restarted."""

from __future__ import annotations

import csv
import io
import time

import httpx

from braintank.sheets.storing.store import SheetStore

from .helpers import Server


def _read(url: str, name: str, data: bytes) -> None:
    job = httpx.post(url + "/api/sheets", files=[("files", (name, data, "image/jpeg"))],
                     timeout=60).json()["job"]
    deadline = time.monotonic() + 120
    while httpx.get(f"{url}/api/jobs/{job}").json()["state"] != "done":
        assert time.monotonic() < deadline, "sheet not read within 120 s"
        time.sleep(0.2)


def test_corrections_survive_a_killed_server(tmp_path, flagged_sheet):
    first = Server(tmp_path).start()
    try:
        _read(first.url, "judge.jpg", flagged_sheet)
        item = httpx.get(first.url + "/api/review").json()["items"][0]
        answer = httpx.post(first.url + "/api/corrections", json={
            "sheet_id": item["sheet_id"], "row": item["row"], "col": item["col"],
            "answer": "6", "who": "Cy"})
        assert answer.status_code == 200
        left = httpx.get(first.url + "/api/review").json()["left"]
    finally:
        first.kill()
    assert first.process.returncode == -9

    second = Server(tmp_path).start()
    try:
        assert httpx.get(second.url + "/api/review").json()["left"] == left
        rows = list(csv.DictReader(io.StringIO(httpx.get(second.url + "/api/export.csv").text)))
        (cell,) = [r for r in rows if (r["row"], r["col"]) == (str(item["row"]),
                                                               str(item["col"]))]
        assert (cell["file"], cell["digit"], cell["status"]) == ("judge.jpg", "6", "corrected")
    finally:
        second.kill()
    with SheetStore(tmp_path / "sheets.db") as store:
        assert store.query("SELECT digit, who FROM correction_log") == [(6, "Cy")]
