"""Train and evaluate scratch MLPs on MNIST: the numpy engine behind `braintank train`.

A run folder gets config.json, metrics.jsonl + curves.png (shared with the PyTorch side),
last.npz (a checkpoint after every epoch, with optimizer state, for resuming), best.npz
(best validation loss), and at the end model.npz (the best weights) and summary.json.
The epochs themselves run in scratch/loop.py, the loop the course experiments share; this
file adds what a run folder needs around each one (`_after_epoch`).
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from braintank import runlog
from braintank.data import load_split
from braintank.data.mnist_stats import MNIST_MEAN, MNIST_STD
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_text
from braintank.scratch.checkpoint import load_checkpoint, save_checkpoint
from braintank.scratch.config import ScratchConfig
from braintank.scratch.data import prepare_images, validation_split
from braintank.scratch.loop import EpochStats, loss_and_accuracy, run_epochs
from braintank.scratch.losses import SoftmaxCrossEntropy, check_labels
from braintank.scratch.model import mlp
from braintank.scratch.optim import Optimizer, make_optimizer
from braintank.scratch.regularization import EarlyStopping
from braintank.scratch.serialize import load_model, save_model

N_CLASSES = 10
# a plot costs seconds on a busy 2-core machine, so redraw at most this often (and at the end)
PLOT_EVERY_SECONDS = 30.0


def load_data(config: ScratchConfig) -> dict[str, np.ndarray]:
    """Normalized float rows: train / validation (seeded split) / test."""

    images, labels = load_split(config.dataset, "train")
    if config.train_limit:
        images, labels = images[:config.train_limit], labels[:config.train_limit]
    train_idx, val_idx = validation_split(len(images), config.val_size, config.seed)
    x = prepare_images(images, config.dtype)
    test_images, test_labels = load_split(config.dataset, "test")
    return {"x_train": x[train_idx], "y_train": labels[train_idx],
            "x_val": x[val_idx], "y_val": labels[val_idx],
            "x_test": prepare_images(test_images, config.dtype), "y_test": test_labels}


def _learning_rate(config: ScratchConfig, epoch: int) -> float:
    """Rate for 1-based `epoch`; cosine anneals from lr towards 0 over config.epochs."""
    if config.lr_schedule == "step":
        return config.lr * config.lr_decay ** (epoch - 1)
    if config.lr_schedule == "cosine":
        return config.lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / config.epochs))
    return config.lr


class _Run:
    """The mutable state of one run: model, optimizer, RNG, early stopping, epoch."""

    def __init__(self, config: ScratchConfig, run_dir: Path) -> None:
        self.config, self.run_dir = config, run_dir
        self.model = mlp([784, *config.hidden, N_CLASSES], config.activation, config.init,
                         config.dropout, config.dtype, config.seed)
        self.optimizer: Optimizer = make_optimizer(config.optimizer, config.lr,
                                                   config.weight_decay, **config.optimizer_args)
        self.stopper = EarlyStopping(config.patience or 1)
        # one generator for shuffling and dropout masks (run_epochs hands it to the dropout
        # layers), saved in every checkpoint so that a resumed run replays exactly
        self.rng = np.random.default_rng(config.seed + 1)
        self.epoch, self.seconds = 0, 0.0
        self.stopped_early = False  # set by the epoch that early stopping ends the run with
        self.plotted_at = 0.0  # when curves.png was last drawn (perf_counter)

    def save(self) -> None:
        meta = {"epoch": self.epoch, "seconds": self.seconds, "config": self.config.to_dict(),
                "rng": self.rng.bit_generator.state, "stopper": self.stopper.state()}
        save_checkpoint(self.run_dir / "last.npz", self.model, self.optimizer, meta)

    @classmethod
    def resume(cls, run_dir: Path) -> _Run:
        path = run_dir / "last.npz"
        if not path.is_file():
            raise BraintankError(f"{run_dir}: no checkpoint last.npz to resume from")
        model, optim_state, meta = load_checkpoint(path)
        run = cls(ScratchConfig.from_dict(meta["config"]).validate(), run_dir)
        run.model.flat_params[...] = model.flat_params
        run.optimizer.load_state_dict(optim_state, [run.model.flat_params])
        run.rng.bit_generator.state = meta["rng"]
        run.stopper.load_state(meta["stopper"])
        run.epoch, run.seconds = meta["epoch"], meta["seconds"]
        return run


def _start(config: ScratchConfig, run_dir: Path) -> _Run:
    return _Run(config, runlog.open_new_run(run_dir, config.to_dict(), "last.npz"))


def train_scratch(config: ScratchConfig | None, run_dir: str | os.PathLike,
                  progress: bool = True, resume: bool = False,
                  data: dict[str, np.ndarray] | None = None,
                  stop_after: int | None = None) -> dict:
    """Train a scratch MLP in run_dir (or with resume=True continue the run saved there,
    config then comes from its checkpoint and may be None); returns the summary.

    `data` (as from load_data) skips loading MNIST; `stop_after` ends this call after that
    many epochs (the run stays resumable). Summary keys: engine, model, epochs_run,
    best_epoch, best_val_loss, best_val_acc, test_loss, test_accuracy, train_seconds,
    model_path.
    """
    run_dir = Path(run_dir)
    if config is None and not resume:
        raise BraintankError("train_scratch needs a config unless it resumes a run")
    run = _Run.resume(run_dir) if resume else _start(config.validate(), run_dir)
    config = run.config
    if resume:
        runlog.write_metrics(run_dir, runlog.read_metrics(run_dir)[:run.epoch])
    data = data if data is not None else load_data(config)
    x_train, y_train = data["x_train"], data["y_train"]
    check_labels(y_train, len(x_train), N_CLASSES)
    n_params = run.model.flat_params.size
    tqdm.write(f"{config.preset} (numpy engine): {n_params:,} parameters, {len(x_train)} "
               f"training / {len(data['y_val'])} validation images")
    run.plotted_at = time.perf_counter()
    run_epochs(run.model, run.optimizer, x_train, y_train, epochs=config.epochs,
               batch_size=config.batch_size, rng=run.rng, max_norm=config.max_norm,
               first_epoch=run.epoch, stop_after=stop_after,
               learning_rate=lambda epoch: _learning_rate(config, epoch),
               after_epoch=lambda stats: _after_epoch(run, stats, data),
               progress="batches" if progress else None)
    if run.epoch < config.epochs and not run.stopped_early:  # stop_after paused it
        _plot(run)
        return {"engine": "numpy", "model": config.preset, "epochs_run": run.epoch,
                "paused": True}
    return _finish(run, data)


def _after_epoch(run: _Run, stats: EpochStats, data: dict[str, np.ndarray]) -> bool:
    """Validate, log, checkpoint and print one epoch; True when early stopping ends the run."""
    config = run.config
    if stats.diverged:
        last = run.run_dir / "last.npz"
        kept = (f"{last} still holds epoch {run.epoch}" if run.epoch > 0 and last.is_file()
                else "no checkpoint was written yet (nothing to resume)")
        raise BraintankError(
            f"training diverged: loss is {stats.loss} at epoch {stats.number}, batch "
            f"{stats.diverged_at}; {kept} (try a lower learning rate than {config.lr})")
    val_loss, val_acc = loss_and_accuracy(run.model, data["x_val"], data["y_val"])
    run.epoch = stats.number
    run.seconds += stats.seconds
    row = {"epoch": run.epoch, "train_loss": stats.loss, "train_acc": stats.accuracy,
           "val_loss": val_loss, "val_acc": val_acc, "lr": run.optimizer.lr,
           "seconds": round(stats.seconds, 3), "train_seconds_total": round(run.seconds, 3)}
    if config.track_test:
        row["test_acc"] = loss_and_accuracy(run.model, data["x_test"], data["y_test"])[1]
    stop = run.stopper.update(run.epoch, val_loss if val_loss is not None else stats.loss)
    if run.stopper.improved:
        save_model(run.model, run.run_dir / "best.npz", meta={"epoch": run.epoch})
    # log first: a kill between the two leaves an extra row, which resume truncates
    runlog.append_metrics(run.run_dir, row)
    run.save()
    if time.perf_counter() - run.plotted_at > PLOT_EVERY_SECONDS:
        _plot(run)
        run.plotted_at = time.perf_counter()
    tqdm.write(_epoch_line(row, config.epochs))
    run.stopped_early = bool(config.patience and stop)
    if run.stopped_early:
        tqdm.write(f"early stopping: validation loss not better for {config.patience} "
                   f"epochs (best at epoch {run.stopper.best_epoch_})")
    return run.stopped_early


def _plot(run: _Run) -> None:
    runlog.plot_learning_curves(runlog.read_metrics(run.run_dir),
                                run.run_dir / runlog.CURVES_FILE, f"{run.config.preset} (numpy)")


def _epoch_line(row: dict, epochs: int) -> str:
    val = (f" val_loss {row['val_loss']:.4f} val_acc {row['val_acc']:.4f}"
           if row["val_acc"] is not None else "")
    return (f"epoch {row['epoch']:>3}/{epochs} train_loss {row['train_loss']:.4f} "
            f"train_acc {row['train_acc']:.4f}{val} lr {row['lr']:.2e} {row['seconds']:.1f}s")


def _finish(run: _Run, data: dict[str, np.ndarray]) -> dict:
    _plot(run)
    best = load_model(run.run_dir / "best.npz")
    test_loss, test_acc = loss_and_accuracy(best, data["x_test"], data["y_test"])
    val_loss, val_acc = loss_and_accuracy(best, data["x_val"], data["y_val"])
    meta = {"engine": "numpy", "config": run.config.to_dict(), "test_accuracy": test_acc,
            "normalize": [MNIST_MEAN, MNIST_STD], "epoch": run.stopper.best_epoch_}
    model_path = run.run_dir / "model.npz"
    save_model(best, model_path, meta=meta)
    summary = {"engine": "numpy", "model": run.config.preset, "epochs_run": run.epoch,
               "best_epoch": run.stopper.best_epoch_, "best_val_loss": val_loss,
               "best_val_acc": val_acc, "test_loss": test_loss, "test_accuracy": test_acc,
               "train_seconds": round(run.seconds, 1), "model_path": str(model_path)}
    atomic_write_text(run.run_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary


def evaluate_scratch(model_path: str | os.PathLike, images: np.ndarray,
                     labels: np.ndarray) -> dict:
    """Accuracy, mean cross-entropy and predictions of a saved scratch model.

    `images` are raw uint8 [N, 28, 28] (normalized here exactly as in training).
    """
    model = load_model(model_path)
    x = prepare_images(images, model.dtype.name)
    labels = check_labels(np.asarray(labels), len(x), model.out_features)
    scores = model.predict_scores(x)
    loss = SoftmaxCrossEntropy().forward(scores, labels) if len(x) else None
    predictions = scores.argmax(axis=1)
    return {"accuracy": float((predictions == labels).mean()) if len(x) else None,
            "loss": loss, "n": int(len(x)), "predictions": predictions}
