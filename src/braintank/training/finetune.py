"""Finetune: continue training a model on the digits people confirmed or corrected.

The network starts from the base model's weights, architecture, normalization and
augmentation setting and trains, with the project's one training loop (checkpoints, resume,
metrics, curves), on the training share of the corrections plus a replay of MNIST (see
finetune_data.py), at a small learning rate with a cosine schedule for a few epochs. The
final weights are kept (nothing is selected on data that is reported). Then temperature and
review threshold are refitted: the threshold is the strictest of those fitted on the
held-out corrections and on the base model's MNIST validation split (clean and shifted), so
the accuracy targets for accepted digits hold on all of them. RUN/model.pt is written last;
the base model is only read.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import torch

from braintank import modelfile
from braintank.data import load_split
from braintank.errors import BraintankError
from braintank.evaluation.review_policy import (
    REVIEW_TARGET_ACCURACY,
    SHIFT_TARGET_ACCURACY,
    ReviewPolicy,
)
from braintank.fileio import atomic_write_text
from braintank.training.config import TrainConfig, validation_split
from braintank.training.defaults import FINETUNE_EPOCHS, FINETUNE_HOLDOUT
from braintank.training.finetune_data import (
    SNAPSHOT_FILE,
    Corrections,
    FinetuneData,
    check_enough,
    check_holdout,
    load_snapshot,
    mnist_validation,
    replay_plan,
    run_data,
    save_snapshot,
    split_corrections,
)
from braintank.training.loop import Trainer, resume_run, start_run
from braintank.training.review_calibration import (
    HeldOut,
    calibrate_review,
    review_scores,
    validation_sets,
)

FINETUNE_LR = 2e-4  # a tenth of the default recipe's peak: adapt, do not retrain
MODEL_FILE = "model.pt"
SUMMARY_FILE = "summary.json"
# What an interrupted finetune leaves in its folder (a restart may overwrite these).
RUN_FILES = {"config.json", "metrics.jsonl", "curves.png", SNAPSHOT_FILE, "last.pt", "best.pt"}


def load_base(path: str | Path) -> modelfile.ModelFile:
    """The model to start from: one finished PyTorch network with an MNIST validation split."""
    saved = modelfile.load(path)
    if saved.engine != "torch":
        raise BraintankError(f"{path}: a NumPy-engine model; finetune needs a PyTorch model "
                             "(.pt, e.g. from `braintank train`)")
    if saved.arch.get("type") == "ensemble":
        raise BraintankError(f"{path}: an ensemble; finetune trains one network (finetune "
                             "each member, then `braintank ensemble` them again)")
    if saved.kind != "model":
        raise BraintankError(f"{path}: not a finished model with a validation split")
    dataset = validation_split(saved.config, str(path))[0]
    if dataset != "mnist":
        raise BraintankError(f"{path}: trained on {dataset}; finetune replays MNIST digits and "
                             "needs a digit model")
    return saved


def finetune_config(base: modelfile.ModelFile, epochs: int, seed: int, lr: float,
                    frozen_norm: bool = True) -> TrainConfig:
    """The base model's settings (network, normalization, augmentation, batch, validation
    split) with the finetune's optimizer, schedule, length and seed; batch norm keeps the
    base model's statistics unless `frozen_norm` is False."""
    cfg = TrainConfig.from_dict(base.config, source=str(base.path))
    name = cfg.model if cfg.model.endswith("+finetune") else f"{cfg.model}+finetune"
    return dataclasses.replace(cfg, model=name, optimizer="adam", lr=lr, schedule="cosine",
                               epochs=epochs, seed=seed, split_seed=cfg.validation_seed,
                               train_size=0, patience=0, frozen_norm=frozen_norm).validate()


def check_new_out(out: Path) -> None:
    """A new run goes into a new or empty folder, or over an interrupted finetune's files."""
    if out.exists() and not out.is_dir():
        raise BraintankError(f"--out {out} is a file, not a run folder")
    if (out / MODEL_FILE).exists():
        raise BraintankError(f"{out} already holds a finished model ({MODEL_FILE}); choose "
                             "another --out (a new or empty folder)")
    if (out / "last.pt").exists():
        raise BraintankError(f"{out} holds an unfinished finetune; continue it with --resume "
                             "or choose another --out")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir()
                         if p.name not in RUN_FILES and not p.name.startswith("."))
        if foreign:
            raise BraintankError(f"--out {out} holds files that are not a finetune run's "
                                 f"(e.g. {foreign[0]}); choose a new or empty folder")


def model_scores(network: torch.nn.Module, normalize: tuple[float, float], calibration: dict,
                 heldout: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                 device: torch.device | str = "cpu") -> dict:
    """A model's numbers on the held-out corrections and on MNIST test (uint8 images), each
    digit accepted or sent to review as the model's calibration decides."""
    def score(images: np.ndarray, labels: np.ndarray) -> dict:
        return review_scores(network, normalize, calibration, images / 255.0, labels, device)

    return {"threshold": ReviewPolicy.from_calibration(calibration).threshold,
            "heldout": score(*heldout), "mnist_test": score(*test)}


@dataclasses.dataclass
class FinetunePlan:
    """A checked finetune, its data drawn, nothing written yet."""

    out: Path
    cfg: TrainConfig
    base: modelfile.ModelFile
    data: FinetuneData


def plan_finetune(corrections: Corrections, out: str | Path, model_path: str | Path,
                  epochs: int = FINETUNE_EPOCHS, holdout: float = FINETUNE_HOLDOUT,
                  seed: int = 0,
                  data_dir: str | None = None, replay: int | None = None,
                  lr: float = FINETUNE_LR, frozen_norm: bool = True) -> FinetunePlan:
    """Every check (a refusal leaves nothing written), the split, the replay draw and the
    base model's numbers. `replay` overrides the number of MNIST images replayed."""
    out = Path(out)
    check_new_out(out)
    check_holdout(holdout)
    check_enough(len(corrections.labels), holdout, corrections.source)
    base = load_base(model_path)
    cfg = finetune_config(base, epochs, seed, lr, frozen_norm)
    train_idx, heldout_idx = split_corrections(len(corrections.labels), holdout, seed)
    mnist_labels = load_split(cfg.dataset, "train", data_dir)[1]
    replay_index, copies = replay_plan(len(mnist_labels), cfg.val_size, cfg.validation_seed,
                                       len(train_idx), seed, replay)
    heldout = (corrections.images[heldout_idx], corrections.labels[heldout_idx])
    test = load_split(cfg.dataset, "test", data_dir)
    meta = {"source": corrections.source, "notes": corrections.notes,
            "base_model": str(base.path), "normalize": list(base.normalize),
            "mnist": {"dataset": cfg.dataset, "val_size": cfg.val_size,
                      "val_seed": cfg.validation_seed},
            "holdout": holdout, "seed": seed,
            "before": model_scores(base.network, base.normalize, base.calibration, heldout,
                                   test)}
    data = FinetuneData(corrections.images[train_idx], corrections.labels[train_idx],
                        *heldout, replay_index, copies, meta)
    return FinetunePlan(out, cfg, base, data)


def start_finetune(plan: FinetunePlan, device: torch.device | None = None,
                   data_dir: str | None = None, progress: bool = True) -> Trainer:
    """Create the run folder and its data snapshot; returns the Trainer ready to fit."""
    device = device or torch.device("cpu")
    trainer = start_run(plan.cfg, plan.out, device, data_dir, progress,
                        data=run_data(plan.data, device, data_dir),
                        initial_weights=plan.base.network.state_dict())
    save_snapshot(plan.out, plan.data)
    return trainer


def resume_finetune(out: str | Path, device: torch.device | None = None,
                    data_dir: str | None = None, progress: bool = True) -> Trainer:
    """The interrupted finetune in `out`, at its last checkpoint, on its saved data."""
    device = device or torch.device("cpu")
    out = Path(out)
    if (out / MODEL_FILE).exists():
        raise BraintankError(f"{out}: finished ({MODEL_FILE} is written); nothing to resume")
    data = load_snapshot(out)
    if not (out / "last.pt").is_file():
        raise BraintankError(f"{out}: stopped before its first epoch ended; nothing to resume "
                             "(run the finetune again without --resume)")
    return resume_run(out, device, data_dir, progress, data=run_data(data, device, data_dir))


def recalibrate_on_both(network: torch.nn.Module, normalize: tuple[float, float],
                        heldout: tuple[np.ndarray, np.ndarray],
                        val: tuple[np.ndarray, np.ndarray],
                        device: torch.device | str = "cpu",
                        target: float = REVIEW_TARGET_ACCURACY) -> dict:
    """Temperature fitted on held-out corrections and MNIST validation together (the held-out
    share alone is too small for a stable fit); the review threshold is the highest of those
    fitted on each set (and on shifted validation digits), so accepted digits reach their
    targets on all of them."""
    sets = [HeldOut("held-out corrections", heldout[0] / 255.0, heldout[1], target),
            *validation_sets(val[0] / 255.0, val[1], target)]
    calibration = calibrate_review(network, normalize, sets, device=device)
    held = calibration["sets"]["held-out corrections"]
    return calibration | {"heldout_coverage": held["coverage"],
                          "heldout_accepted_accuracy": held["accepted_accuracy"],
                          "heldout_size": held["size"],
                          "target_met": all(v["target_met"]
                                            for v in calibration["sets"].values())}


# A finetuned model may cost MNIST at most this much accuracy (a tenth of a point) to be
# worth switching to; what it must gain is read on the held-out corrections.
MNIST_SLACK = 0.001


def verdict(before: dict, after: dict) -> dict:
    """Whether the finetuned model is better for the client than the one it started from:
    more of the held-out corrections accepted (or as many, more of them right), no fewer of
    the accepted right than before (or than the client's target), and MNIST test within a
    tenth of a point. {"better": bool, "why": one line}."""
    hb, ha = before["heldout"], after["heldout"]
    mb, ma = before["mnist_test"]["accuracy"], after["mnist_test"]["accuracy"]
    right_b = hb["accepted_accuracy"] if hb["accepted_accuracy"] is not None else 0.0
    right_a = ha["accepted_accuracy"] if ha["accepted_accuracy"] is not None else 0.0
    if ma < mb - MNIST_SLACK:
        why = f"MNIST test fell {100 * (mb - ma):.2f} points (at most {100 * MNIST_SLACK:.1f})"
    elif ha["accepted"] == 0:
        why = "no held-out correction would be accepted"
    elif right_a < min(right_b, SHIFT_TARGET_ACCURACY):
        why = (f"fewer accepted held-out corrections are right ({100 * right_b:.1f}% -> "
               f"{100 * right_a:.1f}%)")
    elif ha["accepted"] < hb["accepted"] or (ha["accepted"] == hb["accepted"]
                                             and right_a <= right_b):
        why = (f"accepts no more of the {ha['n']} held-out corrections "
               f"({100 * hb['accepted']:.1f}% -> {100 * ha['accepted']:.1f}%)")
    else:
        return {"better": True, "why": f"accepts {100 * hb['accepted']:.1f}% -> "
                f"{100 * ha['accepted']:.1f}% of {ha['n']} held-out corrections, "
                f"{100 * right_a:.1f}% of them right; MNIST test {100 * mb:.2f}% -> "
                f"{100 * ma:.2f}%"}
    return {"better": False, "why": why}


def finish_finetune(trainer: Trainer, data_dir: str | None = None) -> dict:
    """Recalibrate the trained network, write summary.json then model.pt; returns the summary."""
    run_dir = trainer.run_dir
    data = load_snapshot(run_dir)
    normalize = tuple(data.meta["normalize"])
    network, device = trainer.model, trainer.device
    heldout = (data.heldout_images, data.heldout_labels)
    val = mnist_validation(data.meta, data_dir)
    calibration = recalibrate_on_both(network, normalize, heldout, val, device)
    test = load_split(data.meta["mnist"]["dataset"], "test", data_dir)
    after = model_scores(network, normalize, calibration, heldout, test, device)
    summary = {
        "model": str(run_dir / MODEL_FILE), "base_model": data.meta["base_model"],
        "source": data.meta["source"], "corrections": data.meta["notes"],
        "train_corrections": int(len(data.train_labels)),
        "heldout_corrections": int(len(data.heldout_labels)),
        "copies_per_epoch": data.copies, "mnist_replay": int(len(data.replay_index)),
        "epochs": trainer.state.epoch, "lr": trainer.cfg.lr, "seed": data.meta["seed"],
        "calibration": calibration, "before": data.meta["before"], "after": after,
        "verdict": verdict(data.meta["before"], after),
    }
    atomic_write_text(run_dir / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
    payload = trainer.payload("model") | {
        "calibration": calibration, "test_accuracy": after["mnist_test"]["accuracy"],
        "epoch": trainer.state.epoch,
        "finetune": {"base_model": data.meta["base_model"], "source": data.meta["source"]}}
    modelfile.save(run_dir / MODEL_FILE, payload)
    # best.pt holds the epoch best on MNIST validation, which is not what finetune ships.
    (run_dir / "best.pt").unlink(missing_ok=True)
    return summary
