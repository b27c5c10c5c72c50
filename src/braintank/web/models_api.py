"""GET /api/model: which model reads, and what was measured of it when it was made."""

from __future__ import annotations

from fastapi import APIRouter, Request

from braintank.inference.classifier import default_model_path
from braintank.modelfile import load as load_model_file

router = APIRouter()
CALIBRATION_FIELDS = ("temperature", "threshold", "target_accuracy", "val_coverage",
                      "val_accepted_accuracy", "val_size", "views")


def describe_model(path) -> dict:
    """The facts a model file records about itself (all optional but the name)."""
    saved = load_model_file(path or default_model_path())
    payload = saved.payload
    calibration = {k: saved.calibration[k] for k in CALIBRATION_FIELDS
                   if k in saved.calibration}
    return {"name": saved.path.name, "shipped": path is None, "engine": saved.engine,
            "model": saved.config.get("model"), "dataset": saved.config.get("dataset"),
            "test_accuracy": payload.get("test_accuracy"),
            "epochs": payload.get("epoch"), "calibration": calibration}


@router.get("/api/model", summary="The model reading the sheets, with its measured numbers")
def model(request: Request) -> dict:
    return current_model(request.app.state)


def current_model(state) -> dict:
    """The facts of the model in use (app.state), with the review threshold it applies."""
    return {**state.model_facts, "threshold_in_use": state.classifier.threshold}
