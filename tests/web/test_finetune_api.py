"""Finetune from the models page's API: refused with too few corrections; with enough (all
new to the model in use) it is offered, a real `braintank finetune` (tiny MLP, one epoch)
runs beside the server, its before/after numbers and verdict are shown, the server switches
to the new model only when the verdict says it is better, and can switch back."""

from __future__ import annotations

import json
import time

import numpy as np

from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.store import SheetStore

CORRECTED = 64


def _corrected_store(db, mnist_test) -> None:
    """A page of MNIST test digits as the reader would store them, every cell corrected."""
    images, labels = mnist_test
    cells = [CellReading(1 + i // 8, 1 + i % 8, None, 0.5, "review", "low confidence",
                         guess=int(labels[i]), crop=images[i],
                         input28=images[i].astype(np.float32) / 255)
             for i in range(CORRECTED)]
    with SheetStore(db) as store:
        sheet = store.save_page("f" * 64, 1, "digits.png", PageReading("8x8-00", cells), "m")
        for i, cell in enumerate(cells):
            store.correct(sheet, cell.row, cell.col, int(labels[i]), who="test")


def test_too_few_corrections_is_refused(client):
    answer = client.post("/api/finetune", json={"epochs": 1})
    assert answer.status_code == 400
    assert "0 corrected digits" in answer.json()["error"] and "at least 50" in \
        answer.json()["error"]
    assert client.get("/api/finetune").json() == {
        "state": "idle", "corrected_digits": 0, "new_answers": 0, "needed": 50, "offer": False}
    assert client.post("/api/model/switch").status_code == 409
    back = client.post("/api/model/switch-back")
    assert back.status_code == 409 and "no earlier model" in back.json()["error"]


def test_finetune_is_offered_and_switched_to_only_when_better(make_client, tmp_path,
                                                              tiny_model, mnist_test, one_png):
    _corrected_store(tmp_path / "sheets.db", mnist_test)
    client = make_client(model=tiny_model, runs=tmp_path / "runs")
    offered = client.get("/api/finetune").json()
    assert (offered["corrected_digits"], offered["new_answers"], offered["offer"]) == (
        CORRECTED, CORRECTED, True)  # the tiny model never learned from corrections
    started = client.post("/api/finetune", json={"epochs": 1})
    assert started.status_code == 202
    assert client.post("/api/finetune", json={"epochs": 1}).status_code == 409
    deadline = time.monotonic() + 300
    while (status := client.get("/api/finetune").json())["state"] == "running":
        assert time.monotonic() < deadline, "finetune did not finish in 300 s"
        assert not status["offer"]
        time.sleep(1)
    assert status["state"] == "done", status
    summary_file = tmp_path / "runs" / status["run"] / "summary.json"
    written = json.loads(summary_file.read_text())
    shown = status["summary"]
    assert shown["verdict"] == written["verdict"] and shown["heldout"] == 16
    measures = {r["measure"]: r for r in shown["rows"]}
    assert measures["MNIST test accuracy"]["after"] == written["after"]["mnist_test"]["accuracy"]

    def verdict(better: bool) -> None:  # the run's own verdict, as another run could give it
        written["verdict"] = {"better": better, "why": "as written by the run"}
        summary_file.write_text(json.dumps(written))

    verdict(False)
    refused = client.post("/api/model/switch")
    assert refused.status_code == 409 and "not better" in refused.json()["error"]
    assert client.get("/api/model").json()["name"] == tiny_model.name

    verdict(True)
    switched = client.post("/api/model/switch").json()
    assert (switched["name"], switched["previous"]) == ("model.pt", tiny_model.name)
    assert client.app.state.model_path == tmp_path / "runs" / status["run"] / "model.pt"
    assert client.post("/api/model/switch").status_code == 409  # already in use
    after = client.get("/api/finetune").json()
    assert (after["new_answers"], after["offer"]) == (0, False)  # it learned from them all
    files = [("images", ("one.png", one_png, "image/png"))]
    assert client.post("/api/predict", files=files).status_code == 200

    back = client.post("/api/model/switch-back").json()
    assert (back["name"], back["previous"]) == (tiny_model.name, None)
    assert client.app.state.model_path == tiny_model
    assert client.get("/api/finetune").json()["new_answers"] == CORRECTED
    assert client.post("/api/model/switch-back").status_code == 409
