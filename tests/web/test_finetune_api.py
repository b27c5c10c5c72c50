"""Finetune from the models page's API: refused with too few corrections; with enough, a
real `braintank finetune` (tiny MLP, one epoch) runs beside the server, its before/after
numbers are shown, and the server switches to the new model."""

from __future__ import annotations

import time

import numpy as np

from braintank.sheets.reader import CellReading, PageReading
from braintank.sheets.store import SheetStore

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
    assert client.get("/api/finetune").json() == {"state": "idle", "corrected_digits": 0}
    assert client.post("/api/model/switch").status_code == 409


def test_finetune_runs_and_the_server_switches_to_its_model(make_client, tmp_path, tiny_model,
                                                            mnist_test, one_png):
    _corrected_store(tmp_path / "sheets.db", mnist_test)
    client = make_client(model=tiny_model, runs=tmp_path / "runs")
    assert client.get("/api/finetune").json()["corrected_digits"] == CORRECTED
    started = client.post("/api/finetune", json={"epochs": 1})
    assert started.status_code == 202
    assert client.post("/api/finetune", json={"epochs": 1}).status_code == 409
    deadline = time.monotonic() + 300
    while (status := client.get("/api/finetune").json())["state"] == "running":
        assert time.monotonic() < deadline, "finetune did not finish in 300 s"
        time.sleep(1)
    assert status["state"] == "done", status
    measures = {r["measure"]: r for r in status["summary"]["rows"]}
    assert set(measures["MNIST test accuracy"]) == {"measure", "before", "after"}
    assert 0 < measures["MNIST test accuracy"]["after"] <= 1
    switched = client.post("/api/model/switch").json()
    assert (switched["name"], switched["shipped"]) == ("model.pt", False)
    assert client.get("/api/model").json()["test_accuracy"] == \
        measures["MNIST test accuracy"]["after"]
    assert client.app.state.model_path == tmp_path / "runs" / status["run"] / "model.pt"
    files = [("images", ("one.png", one_png, "image/png"))]
    assert client.post("/api/predict", files=files).status_code == 200
