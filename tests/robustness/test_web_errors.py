"""Whatever a client sends, the server answers JSON with a proper status: 4xx for bad input
(ids beyond 64 bits, `"sheet_id": true`, rows of 10**30, any JSON body), never a plain-text
500. A damaged summary.json of a finished finetune is a failed run, not a 500 on
/api/finetune and /api/model/switch."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.store import SheetStore
from braintank.web.app import create_app
from braintank.web.config import WebConfig

from . import strategies

CHECKS = settings(max_examples=150, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])


def _page(store: SheetStore) -> int:
    cells = [CellReading(1, 1, None, 0.4, "review", "low", guess=3,
                         crop=np.full((20, 20), 200, np.uint8))]
    return store.save_page("a" * 64, 1, "scan.png", PageReading("1x1-00", cells), "m")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-errors")
    with SheetStore(folder / "sheets.db") as store:
        _page(store)
    with TestClient(create_app(WebConfig(db=folder / "sheets.db",
                                         uploads=folder / "uploads"))) as test_client:
        yield test_client  # raises any unhandled server exception into the test


def _json_answer(response, allowed: set[int]) -> dict:
    assert response.status_code in allowed, (response.status_code, response.text[:200])
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert response.status_code == 200 or set(body) == {"error"}
    return body


ids = st.integers(-2**80, 2**80) | st.sampled_from([2**63 - 1, 2**63, 10**30, -1, 0, 1])
fields = ("sheet_id", "row", "col", "answer", "who")
values = strategies.json_values(max_leaves=6, largest=2**70) | ids | st.sampled_from(
    ["3", "empty", "unreadable", "Ana", True, False])


@CHECKS
@given(body=st.dictionaries(st.sampled_from(fields), values, max_size=5)
       | strategies.json_values(max_leaves=6))
@example(body={"sheet_id": 9223372036854775808, "row": 1, "col": 1, "answer": "3", "who": "a"})
@example(body={"sheet_id": 1, "row": 10**30, "col": 1, "answer": "3", "who": "a"})
def test_any_correction_body_is_answered_in_json(client, body):
    # sent as Python writes it: NaN and Infinity too, which clients may send
    raw = json.dumps(body).encode()
    _json_answer(client.post("/api/corrections", content=raw,
                             headers={"content-type": "application/json"}), {200, 404, 422})


def test_true_is_not_sheet_one(client):
    body = {"sheet_id": True, "row": True, "col": True, "answer": "3", "who": "Ana"}
    assert "sheet_id" in _json_answer(client.post("/api/corrections", json=body), {422})[
        "error"]
    body.update(sheet_id=1, row=1, col=1)
    assert _json_answer(client.post("/api/corrections", json=body), {200})["saved"]


@CHECKS
@given(value=ids.map(str) | st.text(max_size=12))
@example(value="9223372036854775808")
def test_any_id_in_an_address_is_answered_in_json(client, value):
    part = quote(value, safe="") or "%20"
    crop = client.get(f"/api/cells/{part}/crop.png")
    if crop.status_code != 200:  # the one stored cell's crop is a PNG
        _json_answer(crop, {404, 422})
    _json_answer(client.get(f"/api/jobs/{part}"), {404, 422})
    _json_answer(client.get("/api/review", params={"sheet": value}), {200, 422})
    answer = client.get("/api/export.csv", params={"sheet": value})
    if answer.status_code != 200:
        _json_answer(answer, {404, 422})


# ---- a finished finetune with a damaged summary.json -------------------------------------

@pytest.fixture(scope="module")
def finetuned(tmp_path_factory, tiny_model, mnist_test):
    """A real `braintank finetune` run by the server (tiny model, one epoch), finished."""
    folder = tmp_path_factory.mktemp("finetuned")
    images, labels = mnist_test
    cells = [CellReading(1 + i // 8, 1 + i % 8, None, 0.5, "review", "low", guess=0,
                         crop=images[i], input28=images[i].astype(np.float32) / 255)
             for i in range(64)]
    with SheetStore(folder / "sheets.db") as store:
        sheet = store.save_page("f" * 64, 1, "digits.png", PageReading("8x8-00", cells), "m")
        for i, cell in enumerate(cells):
            store.correct(sheet, cell.row, cell.col, int(labels[i]))
    with TestClient(create_app(WebConfig(db=folder / "sheets.db", uploads=folder / "up",
                                         model=tiny_model, runs=folder / "runs"))) as client:
        assert client.post("/api/finetune", json={"epochs": 1}).status_code == 202
        deadline = time.monotonic() + 600
        while client.get("/api/finetune").json()["state"] == "running":
            assert time.monotonic() < deadline
            time.sleep(1)
        status = client.get("/api/finetune").json()
        assert status["state"] == "done", status
        yield client, folder / "runs" / status["run"] / "summary.json"


@pytest.mark.parametrize("damage", [
    b"{not json", b"[1, 2]", b'{"before": 5}', b"\xff\xfe", json.dumps(
        {"before": {"heldout": {"accuracy": "high"}}, "after": {}}).encode(),
    b'{"heldout_corrections": NaN}', None])
def test_a_damaged_summary_is_a_failed_run_not_a_500(finetuned, damage):
    client, summary = finetuned
    kept = summary.read_bytes()
    try:
        if damage is None:
            summary.unlink()
        else:
            summary.write_bytes(damage)
        status = _json_answer(client.get("/api/finetune"), {200})
        assert status["state"] == "failed" and "summary.json" in status["error"]
        assert "no finished finetune" in _json_answer(client.post("/api/model/switch"),
                                                       {409})["error"]
    finally:
        summary.write_bytes(kept)
    assert client.get("/api/finetune").json()["state"] == "done"
