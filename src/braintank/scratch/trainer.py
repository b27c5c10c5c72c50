"""Train and evaluate scratch MLPs on MNIST: the numpy engine behind `braintank train`.

A run folder gets config.json, metrics.jsonl + curves.png (shared with the PyTorch side),
last.npz (a checkpoint after every epoch, with optimizer state, for resuming), best.npz
(best validation loss), and at the end model.npz (the best weights) and summary.json.
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
from braintank.data.mnist_stats import MNIST_MEAN, MNIST_STD
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_text
from braintank.progress import progress_bar
from braintank.scratch.checkpoint import load_checkpoint, save_checkpoint
from braintank.scratch.config import ScratchConfig
from braintank.scratch.data import minibatches, prepare_images, validation_split
from braintank.scratch.dropout import Dropout
from braintank.scratch.losses import SoftmaxCrossEntropy, check_labels
from braintank.scratch.model import Sequential, mlp
from braintank.scratch.optim import Optimizer, make_optimizer
from braintank.scratch.regularization import EarlyStopping, apply_max_norm
from braintank.scratch.serialize import load_model, save_model

N_CLASSES = 10
# a plot costs seconds on a busy 2-core machine, so redraw at most this often (and at the end)
PLOT_EVERY_SECONDS = 30.0


def load_data(config: ScratchConfig) -> dict[str, np.ndarray]:
    """Normalized float rows: train / validation (seeded split) / test."""
    from braintank.data import load_split

    images, labels = load_split(config.dataset, "train")
    if config.train_limit:
        images, labels = images[:config.train_limit], labels[:config.train_limit]
    train_idx, val_idx = validation_split(len(images), config.val_size, config.seed)
    x = prepare_images(images, config.dtype)
    test_images, test_labels = load_split(config.dataset, "test")
    return {"x_train": x[train_idx], "y_train": labels[train_idx],
            "x_val": x[val_idx], "y_val": labels[val_idx],
            "x_test": prepare_images(test_images, config.dtype), "y_test": test_labels}


def loss_and_accuracy(model: Sequential, x: np.ndarray, y: np.ndarray,
                      batch_size: int = 4096) -> tuple[float | None, float | None]:
    """Mean cross-entropy and accuracy in evaluation mode; (None, None) for no samples."""
    if len(x) == 0:
        return None, None
    scores = model.predict_scores(x, batch_size)
    loss = SoftmaxCrossEntropy().forward(scores, check_labels(y, len(x), scores.shape[1]))
    return loss, float((scores.argmax(axis=1) == y).mean())


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
        self.rng = np.random.default_rng(config.seed + 1)
        self.stopper = EarlyStopping(config.patience or 1)
        self.epoch, self.seconds = 0, 0.0
        self._share_rng()

    def _share_rng(self) -> None:
        # one generator for shuffling and dropout masks, so a resumed run replays exactly
        for layer in self.model.layers:
            if isinstance(layer, Dropout):
                layer.rng = self.rng

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


def _train_epoch(run: _Run, x: np.ndarray, y: np.ndarray, progress: bool) -> tuple[float, float]:
    model, loss, config = run.model.train(), SoftmaxCrossEntropy(), run.config
    params, grads = [model.flat_params], [model.flat_grads]
    total_loss, hits, seen = 0.0, 0, 0
    n_batches = math.ceil(len(x) / config.batch_size)
    bar = progress_bar(total=n_batches, summary=False,  # the epoch's line is printed below
                       desc=f"epoch {run.epoch + 1}/{config.epochs}", leave=False,
                       disable=not progress, unit="batch")
    for step, (xb, yb) in enumerate(minibatches(x, y, config.batch_size, run.rng), 1):
        # overflow shows up as a non-finite loss, reported below as one clear error
        with np.errstate(over="ignore", invalid="ignore"):
            logits = model.forward(xb)
            value = loss.forward(logits, yb)
        if not math.isfinite(value):
            bar.close()
            last = run.run_dir / "last.npz"
            kept = (f"{last} still holds epoch {run.epoch}" if run.epoch > 0 and last.is_file()
                    else "no checkpoint was written yet (nothing to resume)")
            raise BraintankError(
                f"training diverged: loss is {value} at epoch {run.epoch + 1}, batch {step}; "
                f"{kept} (try a lower learning rate than {config.lr})")
        hits += int(np.count_nonzero(logits.argmax(axis=1) == yb))
        total_loss += value * len(yb)
        seen += len(yb)
        model.backward(loss.backward())
        run.optimizer.step(params, grads)
        if config.max_norm:
            apply_max_norm(model.layers, config.max_norm)
        if progress and (step % 50 == 0 or step == n_batches):
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{hits / seen:.4f}",
                            refresh=False)
            bar.update(step - bar.n)
    bar.close()
    return total_loss / seen, hits / seen


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
    first_epoch, last_plot = run.epoch, time.perf_counter()
    while run.epoch < config.epochs:
        if stop_after is not None and run.epoch - first_epoch >= stop_after:
            _plot(run)
            return {"engine": "numpy", "model": config.preset, "epochs_run": run.epoch,
                    "paused": True}
        run.optimizer.lr = _learning_rate(config, run.epoch + 1)
        started = time.perf_counter()
        train_loss, train_acc = _train_epoch(run, x_train, y_train, progress)
        epoch_seconds = time.perf_counter() - started
        val_loss, val_acc = loss_and_accuracy(run.model, data["x_val"], data["y_val"])
        run.epoch += 1
        run.seconds += epoch_seconds
        row = {"epoch": run.epoch, "train_loss": train_loss, "train_acc": train_acc,
               "val_loss": val_loss, "val_acc": val_acc, "lr": run.optimizer.lr,
               "seconds": round(epoch_seconds, 3), "train_seconds_total": round(run.seconds, 3)}
        if config.track_test:
            row["test_acc"] = loss_and_accuracy(run.model, data["x_test"], data["y_test"])[1]
        stop = run.stopper.update(run.epoch, val_loss if val_loss is not None else train_loss)
        if run.stopper.improved:
            save_model(run.model, run_dir / "best.npz", meta={"epoch": run.epoch})
        # log first: a kill between the two leaves an extra row, which resume truncates
        runlog.append_metrics(run_dir, row)
        run.save()
        if time.perf_counter() - last_plot > PLOT_EVERY_SECONDS:
            _plot(run)
            last_plot = time.perf_counter()
        tqdm.write(_epoch_line(row, config.epochs))
        if config.patience and stop:
            tqdm.write(f"early stopping: validation loss not better for {config.patience} "
                       f"epochs (best at epoch {run.stopper.best_epoch_})")
            break
    return _finish(run, data)


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
