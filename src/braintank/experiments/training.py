"""The small NumPy training loop the MNIST experiments share, built from the scratch engine.

`braintank train` (scratch/trainer.py) owns run folders, checkpoints and resuming; an
experiment needs none of that, only per-epoch curves on train and test and hooks for the
knob it turns (max-norm, an optimizer, a batch size), so it drives the same pieces directly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from braintank.errors import BraintankError
from braintank.progress import progress_bar
from braintank.scratch.data import minibatches, prepare_images
from braintank.scratch.dropout import Dropout
from braintank.scratch.losses import SoftmaxCrossEntropy
from braintank.scratch.model import Sequential
from braintank.scratch.optim import Optimizer
from braintank.scratch.regularization import apply_max_norm
from braintank.scratch.trainer import loss_and_accuracy


def mnist(n_train: int, n_test: int, offset: int = 0, n_val: int = 0) -> dict[str, np.ndarray]:
    """Normalized MNIST rows: train images [offset, offset+n_train), the first n_test test
    images, and (n_val > 0) validation images: the n_val training images after the train part."""
    from braintank.data import load_split

    images, labels = load_split("mnist", "train")
    test_images, test_labels = load_split("mnist", "test")
    if offset + n_train + n_val > len(images) or n_test > len(test_images):
        raise BraintankError(f"MNIST has {len(images)} training / {len(test_images)} test "
                             f"images; asked for {offset}+{n_train} / {n_test}")
    # only the rows asked for are converted: all 60,000 as float would cost seconds
    part = slice(offset, offset + n_train)
    data = {"x_train": prepare_images(images[part]), "y_train": labels[part],
            "x_test": prepare_images(test_images[:n_test]), "y_test": test_labels[:n_test]}
    if n_val:
        val = slice(offset + n_train, offset + n_train + n_val)
        data["x_val"], data["y_val"] = prepare_images(images[val]), labels[val]
    return data


@dataclass
class Curves:
    """Per-epoch history; each list has one entry per epoch."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    diverged: bool = False

    def as_dict(self) -> dict:
        return dict(vars(self))

    def record_epoch(self, model: Sequential, data: dict) -> None:
        """Append the loss and accuracy of `model` on the training and test sets."""
        with np.errstate(over="ignore", invalid="ignore"):
            train_loss, train_acc = loss_and_accuracy(model, data["x_train"], data["y_train"])
            test_loss, test_acc = loss_and_accuracy(model, data["x_test"], data["y_test"])
        self.train_loss.append(train_loss)
        self.train_acc.append(train_acc)
        self.test_loss.append(test_loss)
        self.test_acc.append(test_acc)


def share_rng(model: Sequential, rng: np.random.Generator) -> None:
    """One generator for shuffling and dropout masks, so a run replays from its seed."""
    for layer in model.layers:
        if isinstance(layer, Dropout):
            layer.rng = rng


def train_epoch(model: Sequential, optimizer: Optimizer, x: np.ndarray, y: np.ndarray,
                batch_size: int, rng: np.random.Generator, max_norm: float = 0.0) -> bool:
    """One pass of mini-batch training; False if the loss stopped being finite."""
    loss = SoftmaxCrossEntropy()
    model.train()
    params, grads = [model.flat_params], [model.flat_grads]
    for xb, yb in minibatches(x, y, batch_size, rng):
        with np.errstate(over="ignore", invalid="ignore"):
            value = loss.forward(model.forward(xb), yb)
        if not math.isfinite(value):
            return False
        model.backward(loss.backward())
        optimizer.step(params, grads)
        if max_norm:
            apply_max_norm(model.layers, max_norm)
    return True


def fit(model: Sequential, optimizer: Optimizer, data: dict[str, np.ndarray], epochs: int,
        batch_size: int, seed: int = 0, max_norm: float = 0.0, label: str = "",
        progress: bool = False,
        stop: Callable[[Curves], bool] | None = None) -> Curves:
    """Train for `epochs`, measuring train and test loss/accuracy after each epoch.

    `stop(curves)` returning True ends training early (early stopping, on val_loss when
    `data` has x_val/y_val); a diverged run
    (non-finite loss) ends with `diverged` set and its last row repeated as NaN.
    """
    rng = np.random.default_rng(seed + 1)
    share_rng(model, rng)
    curves = Curves()
    for _ in progress_bar(range(epochs), desc=label or "training", unit="epoch", leave=False,
                  disable=not progress):
        started = time.perf_counter()
        finite = train_epoch(model, optimizer, data["x_train"], data["y_train"], batch_size,
                             rng, max_norm)
        curves.seconds.append(time.perf_counter() - started)
        if not finite:
            curves.diverged = True
            for series in (curves.train_loss, curves.train_acc, curves.test_loss,
                           curves.test_acc):
                series.append(float("nan"))
            break
        curves.record_epoch(model, data)
        if "x_val" in data:
            curves.val_loss.append(loss_and_accuracy(model, data["x_val"], data["y_val"])[0])
        if stop is not None and stop(curves):
            break
    return curves
