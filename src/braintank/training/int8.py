"""Build a model's int8 copy for `--runtime onnx-int8`, with its calibration refitted.

Quantization (`modelfile/quantize.py`) measures activation ranges on MNIST training digits the
model learnt from (never its validation digits). The int8 network's logits differ slightly
from the float network's, so temperature and review threshold are fitted again, by the same
code and on the same held-out sets as at the end of training (`review_calibration.py`: the
model's own validation split, clean and shifted, the same views and accuracy target).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from braintank import modelfile
from braintank.data import load_split
from braintank.data.transforms import train_val_split
from braintank.errors import BraintankError
from braintank.evaluation.review_policy import REVIEW_TARGET_ACCURACY
from braintank.modelfile.export import onnx_session
from braintank.modelfile.quantize import (
    Int8Model,
    SessionNetwork,
    calibration_inputs,
    current_int8,
    file_sha256,
    int8_path,
    quantize_network,
    write_int8,
)
from braintank.nets.optimize import for_inference
from braintank.training.config import validation_split
from braintank.training.review_calibration import (
    REVIEW_VIEWS,
    calibrate_review,
    validation_sets,
)

CALIBRATION_DIGITS = 1000
CALIBRATION_SEED = 20260514  # fixed: rebuilding a model's int8 copy gives the same file


def build_int8(model_path: str | os.PathLike, data_dir: str | None = None,
               calibration_digits: int = CALIBRATION_DIGITS) -> Path:
    """Quantize the model file at `model_path`, refit its calibration on the int8 logits, and
    write `<model>.int8.onnx` beside it (atomically); returns that path."""
    model_path = Path(model_path)
    source = file_sha256(model_path)  # before reading: a file changed meanwhile is not current
    saved = modelfile.load(model_path)
    if saved.kind != "model":
        raise BraintankError(f"{model_path}: int8 needs a finished model (with a validation "
                             "split to calibrate on)")
    dataset, val_size, seed = validation_split(saved.config, str(model_path))
    images, labels = load_split(dataset, "train", data_dir)
    train_idx, val_idx = train_val_split(len(labels), val_size, seed)
    old = saved.calibration or {}
    views = old.get("views", REVIEW_VIEWS)
    picked = np.random.default_rng(CALIBRATION_SEED).choice(
        train_idx, min(calibration_digits, len(train_idx)), replace=False)
    blob = quantize_network(for_inference(saved.network),
                            calibration_inputs(images[np.sort(picked)] / 255.0,
                                               saved.normalize, views))
    network = SessionNetwork(onnx_session(blob, f"int8 copy of {model_path}"))
    calibration = calibrate_review(
        network, saved.normalize,
        validation_sets(images[val_idx] / 255.0, labels[val_idx],
                        old.get("target_accuracy", REVIEW_TARGET_ACCURACY)), views)
    out = int8_path(model_path)
    try:
        write_int8(out, Int8Model(blob, calibration, source))
    except OSError as exc:
        raise BraintankError(f"{out}: cannot write the int8 model "
                             f"({exc.strerror or exc})") from None
    return out


def ensure_int8(model_path: str | os.PathLike, data_dir: str | None = None,
                say: Callable[[str], None] | None = None) -> Path:
    """The int8 copy of the model file at `model_path`, built first (with `say` told, since
    it takes seconds) when there is none or the model file changed since it was made."""
    model_path = Path(model_path)
    if model_path.is_file() and current_int8(model_path) is None:
        if say is not None:
            say(f"making the int8 model {int8_path(model_path)} (once per model file)")
        build_int8(model_path, data_dir)
    return int8_path(model_path)
