"""The end of a run: kept weights, calibration on the validation split, a test score, model.pt.

The weights kept are those of the epoch best on validation (`keep="best"`) or of the last
epoch (`keep="last"`: for a schedule that anneals the rate to zero, whose final weights are
the result; a mid-run epoch can win on validation by a few digits and read test worse).

Temperature scaling fits one scalar T on validation logits so that softmax(z / T) is
calibrated; the review threshold is the lowest confidence at which validation digits, clean
and shifted, reach their accuracy targets (review_calibration.py). Both travel inside
model.pt, so every later prediction uses them.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from braintank import modelfile
from braintank.data import load_split
from braintank.data.transforms import to_tensor, train_val_split
from braintank.errors import BraintankError
from braintank.evaluation.review_policy import REVIEW_TARGET_ACCURACY
from braintank.fileio import atomic_write_text
from braintank.runlog import read_metrics
from braintank.training.config import validation_split
from braintank.training.evaluate import compute_logits, loss_and_accuracy
from braintank.training.loop import Trainer
from braintank.training.review_calibration import (
    calibrate_review,
    validation_sets,
)

__all__ = ["finalize", "recalibrate"]


def finalize(trainer: Trainer, data_dir: str | None = None) -> dict:
    """Write model.pt and summary.json; returns the summary.

    `train_seconds` adds up the training passes of every epoch in the run's log (not the
    validation after each, nor data loading or the final evaluation), so a run resumed after
    a stop reports all its training, not only the last session's.
    """
    run_dir = trainer.run_dir
    kept = modelfile.load(run_dir / ("best.pt" if trainer.cfg.keep == "best" else "last.pt"))
    trainer.model.load_state_dict(kept.network.state_dict())
    calibration = None
    mean, std = trainer.data.normalize
    if len(trainer.data.y_val):
        val_images = (trainer.data.x_val[:, 0] * std + mean).clamp(0, 1).cpu().numpy()
        calibration = calibrate_review(
            trainer.model, trainer.data.normalize,
            validation_sets(val_images, trainer.data.y_val.cpu().numpy()), device=trainer.device)
    images, labels = load_split(trainer.cfg.dataset, "test", data_dir)
    x_test = trainer.eval_input(to_tensor(images, mean, std, trainer.device))
    test_logits = compute_logits(trainer.model, x_test)
    test_loss, test_acc = loss_and_accuracy(test_logits, torch.tensor(labels).to(trainer.device))
    payload = trainer.payload("model") | {"calibration": calibration,
                                          "test_accuracy": test_acc, "epoch": trainer.state.epoch}
    modelfile.save(run_dir / "model.pt", payload)
    summary = {
        "model": trainer.cfg.model,
        "epochs_run": trainer.state.epoch,
        "best_epoch": trainer.state.best_epoch,
        "kept": trainer.cfg.keep,
        "best_val_acc": trainer.state.best_acc,
        "test_loss": test_loss,
        "test_accuracy": test_acc,
        "calibration": calibration,
        "device": str(trainer.device),
        "precision": trainer.accel.precision,
        "compile": trainer.cfg.compile,
        "threads": torch.get_num_threads(),  # per process
        "nproc": trainer.nproc,
        "train_seconds": round(sum(row.get("train_seconds", row["seconds"])
                                   for row in read_metrics(run_dir)), 2),
    }
    atomic_write_text(run_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary


def recalibrate(model_path: str | Path, target: float = REVIEW_TARGET_ACCURACY,
                data_dir: str | None = None) -> dict:
    """Refit temperature and review threshold of a finished model on its own validation
    split (rebuilt from its config's dataset, val_size and split seed) and rewrite the file."""
    if not 0.5 <= target < 1:
        raise BraintankError(f"--target must be in [0.5, 1), got {target}")
    saved = modelfile.load(model_path)
    if saved.kind != "model":
        raise BraintankError(f"{model_path}: not a finished model with a validation split")
    dataset, val_size, seed = validation_split(saved.config, str(model_path))
    images, labels = load_split(dataset, "train", data_dir)
    _, val_idx = train_val_split(len(labels), val_size, seed)
    calibration = calibrate_review(saved.network, saved.normalize,
                                   validation_sets(images[val_idx] / 255.0, labels[val_idx],
                                                   target))
    modelfile.save(model_path, {**{k: v for k, v in saved.payload.items()
                                   if k not in ("format", "version")},
                                "calibration": calibration})
    return calibration
