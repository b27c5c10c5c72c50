"""`braintank finetune` on a real review store: simulated sheets read by the real reader,
answered by a simulated reviewer; a small real training (the tiny MLP, one or two epochs)."""

from __future__ import annotations

import hashlib
import json
import shutil

import cv2
import pytest
import torch
from corrected_store import build_corrected_store

from braintank import modelfile, runlog
from braintank.cli.main import main
from braintank.inference.classifier import DigitClassifier
from braintank.sheets.reading.reader import read_page
from braintank.sheets.storing.labeled import labeled_cells
from braintank.sheets.storing.store import SheetStore
from braintank.training.finetune import (
    finish_finetune,
    plan_finetune,
    start_finetune,
    verdict,
)
from braintank.training.finetune_data import SNAPSHOT_FILE, Corrections

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def store(tmp_path_factory, mnist_test, tiny_model):
    images, labels = mnist_test
    return build_corrected_store(tmp_path_factory.mktemp("store"),
                                 DigitClassifier.load(tiny_model), images, labels)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_probabilities(db) -> dict[tuple[int, int], list[float]]:
    with SheetStore.open_readonly(db) as s:
        rows = s.query("SELECT c.row, c.col, p.probabilities FROM cells c "
                       "JOIN predictions p ON p.cell_id = c.id WHERE p.guess IS NOT NULL")
    return {(row, col): json.loads(probs) for row, col, probs in rows}


def page_probabilities(scan, classifier) -> dict[tuple[int, int], list[float]]:
    grey = cv2.imread(str(scan), cv2.IMREAD_GRAYSCALE)
    return {(c.row, c.col): c.probabilities for c in read_page(grey, classifier).cells
            if c.guess is not None}


def test_finetune_writes_a_model_every_command_takes(tmp_path, store, tiny_model, capsys):
    db, scans = store
    db_copy = tmp_path / "sheets.db"
    shutil.copy(db, db_copy)
    with SheetStore(db_copy) as s:  # two reviewers disagreed about one cell
        sheet_id, row, col, guess = s.query(
            "SELECT c.sheet_id, c.row, c.col, p.guess FROM cells c JOIN predictions p "
            "ON p.cell_id = c.id JOIN inputs i ON i.cell_id = c.id "
            "WHERE i.image IS NOT NULL ORDER BY c.id LIMIT 1")[0]
        s.correct(sheet_id, row, col, (guess + 1) % 10)
        s.correct(sheet_id, row, col, (guess + 2) % 10)
        s.correct(sheet_id, 99, 1, 4)  # a cell this page's template does not have
        latest = {cell: int(label) for cell, label in
                  zip(labeled_cells(s).cells, labeled_cells(s).labels, strict=True)}
    before = {p: sha256(p) for p in (db_copy, tiny_model)}
    run = tmp_path / "run"

    code = main(["finetune", "--store", str(db_copy), "--model", str(tiny_model),
                 "--out", str(run), "--epochs", "1", "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "cells were given different answers; the latest answer is used" in err
    assert f"row {row} col {col}: {(guess + 1) % 10}, then {(guess + 2) % 10}" in err
    assert "corrected cells not used: " in err and "1 no such cell on the page" in err
    assert "held-out corrections: accuracy" in out and "MNIST test accuracy" in out
    assert {p: sha256(p) for p in before} == before  # store and base model only read
    assert sorted(p.name for p in run.iterdir()) == [
        "config.json", "curves.png", SNAPSHOT_FILE, "last.pt", "metrics.jsonl", "model.pt",
        "summary.json"]

    summary = json.loads((run / "summary.json").read_text())
    assert summary["train_corrections"] + summary["heldout_corrections"] == len(latest)
    assert summary["heldout_corrections"] >= 10
    assert len(summary["corrections"]["conflicts"]) == 1
    for side in ("before", "after"):
        assert set(summary[side]) == {"threshold", "heldout", "mnist_test"}
        assert summary[side]["mnist_test"]["n"] == 10_000
    assert summary["verdict"] == verdict(summary["before"], summary["after"])
    said = "better than the model it started from" if summary["verdict"]["better"] \
        else "not better than the model it started from"
    assert said in out and summary["verdict"]["why"] in out
    calibration = summary["calibration"]
    assert calibration["threshold"] == summary["after"]["threshold"]
    assert calibration["heldout_size"] == summary["heldout_corrections"]

    model = DigitClassifier.load(run / "model.pt")
    base = DigitClassifier.load(tiny_model)
    assert model.policy.threshold == pytest.approx(calibration["threshold"])
    assert model.policy.temperature == pytest.approx(calibration["temperature"])
    saved = modelfile.load(run / "model.pt")
    assert saved.kind == "model" and saved.config["val_size"] == 1000  # `calibrate` works too

    # `sheet read --model RUN/model.pt` reads with the finetuned network
    code = main(["sheet", "read", str(scans[0]), "--model", str(run / "model.pt"),
                 "--db", str(tmp_path / "again.db"), "--out", str(tmp_path / "again.csv"),
                 "--quiet"])
    capsys.readouterr()
    assert code == 0
    stored = stored_probabilities(tmp_path / "again.db")
    assert len(stored) > 50
    assert stored == page_probabilities(scans[0], model)
    assert stored != page_probabilities(scans[0], base)


def _corrections(db) -> Corrections:
    with SheetStore.open_readonly(db) as s:
        found = labeled_cells(s)
    return Corrections(found.images, found.labels, str(db), {"labeled": len(found.labels)})


def test_a_killed_finetune_resumes_to_the_same_weights(tmp_path, store, tiny_model, capsys):
    db, _ = store
    corrections = _corrections(db)

    def plan(out):
        return plan_finetune(corrections, out, tiny_model, epochs=2, seed=3, replay=600)

    whole = start_finetune(plan(tmp_path / "whole"), CPU, progress=False)
    whole.fit()
    finish_finetune(whole)

    first = start_finetune(plan(tmp_path / "split"), CPU, progress=False)
    first.fit(stop_after=1)  # the process is killed here: only the folder remains
    del first
    assert not (tmp_path / "split" / "model.pt").exists()
    moved = tmp_path / "elsewhere.db"
    shutil.move(db, moved)  # resuming does not read the store: the run folder has its data
    try:
        code = main(["finetune", "--out", str(tmp_path / "split"), "--resume", "--device",
                     "cpu", "--no-progress"])
    finally:
        shutil.move(moved, db)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "model saved to" in out

    a = modelfile.load(tmp_path / "whole" / "model.pt")
    b = modelfile.load(tmp_path / "split" / "model.pt")
    for name, tensor in a.network.state_dict().items():
        assert torch.equal(tensor, b.network.state_dict()[name]), name
    assert a.calibration == b.calibration
    assert [r["val_acc"] for r in runlog.read_metrics(tmp_path / "whole")] == \
        [r["val_acc"] for r in runlog.read_metrics(tmp_path / "split")]
    # the weights moved away from the base model: it trained
    base = modelfile.load(tiny_model).network.state_dict()
    assert any(not torch.equal(t, base[n]) for n, t in a.network.state_dict().items())
