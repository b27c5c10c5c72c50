"""GET /api/model: which model reads, on which runtime, and what was measured of it when it
was made; loading a model to serve."""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi import APIRouter, Request

from braintank.inference.classifier import DigitClassifier, default_model_path
from braintank.modelfile import load as load_model_file
from braintank.serving import load_classifier
from braintank.training.finetune_data import SNAPSHOT_FILE

router = APIRouter()
CALIBRATION_FIELDS = ("temperature", "threshold", "target_accuracy", "val_coverage",
                      "val_accepted_accuracy", "val_size", "views")


def describe_model(path) -> dict:
    """The facts a model file records about itself (all optional but the name), and when it
    last learned from corrections (`learned_at`, None: never)."""
    saved = load_model_file(path or default_model_path())
    payload = saved.payload
    calibration = {k: saved.calibration[k] for k in CALIBRATION_FIELDS
                   if k in saved.calibration}
    return {"name": saved.path.name, "shipped": path is None, "engine": saved.engine,
            "model": saved.config.get("model"), "dataset": saved.config.get("dataset"),
            "test_accuracy": payload.get("test_accuracy"),
            "epochs": payload.get("epoch"), "calibration": calibration,
            "path": str(saved.path), "learned_at": learned_at(saved.path, payload)}


def learned_at(path: Path, payload: dict) -> float | None:
    """When a finetuned model took its corrections from the store: the time its run saved
    them (finetune-data.npz), else the model file's own time; None for a model that never
    learned from corrections (every answer is new to it)."""

    if "finetune" not in payload:
        return None
    snapshot = path.parent / SNAPSHOT_FILE
    try:
        return (snapshot if snapshot.is_file() else path).stat().st_mtime
    except OSError:
        return None


@router.get("/api/model", summary="The model reading the sheets, with its measured numbers")
def model(request: Request) -> dict:
    return current_model(request.app.state)


def current_model(state) -> dict:
    """The facts of the model in use (app.state), with the runtime and the review threshold
    it applies (an int8 copy has its own), and the model a switch back would return to."""
    previous = state.previous_models[-1]["facts"]["name"] if state.previous_models else None
    return {**state.model_facts, "runtime": state.classifier.runtime,
            "threshold_in_use": state.classifier.policy.threshold,
            "views": state.classifier.policy.views, "previous": previous}


def load_for_serving(model: Path | None, runtime: str) -> DigitClassifier:
    """The classifier for `model` (None: the shipped one) on `runtime`, its int8 copy built
    first when that runtime needs one and it is missing or stale."""
    return load_classifier(model, runtime, say=lambda line: print(
        f"braintank serve: {line}", file=sys.stderr, flush=True))
