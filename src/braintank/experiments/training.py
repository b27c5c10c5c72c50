"""What the MNIST experiments add to the NumPy engine's training loop: their data and curves.

The epochs run in scratch/loop.py, the loop behind `braintank train --engine numpy` too; an
experiment needs no run folder, checkpoint or resuming, only per-epoch curves on the training
and test sets and the knob it turns (max-norm, an optimizer, a batch size, distorted inputs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from braintank.data import load_split
from braintank.errors import BraintankError
from braintank.scratch.data import prepare_images
from braintank.scratch.loop import EpochStats, loss_and_accuracy, run_epochs
from braintank.scratch.model import Sequential
from braintank.scratch.optim import Optimizer


def mnist(n_train: int, n_test: int, offset: int = 0, n_val: int = 0) -> dict[str, np.ndarray]:
    """Normalized MNIST rows: train images [offset, offset+n_train), the first n_test test
    images, and (n_val > 0) validation images: the n_val training images after the train part."""

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


def fit(model: Sequential, optimizer: Optimizer, data: dict[str, np.ndarray], epochs: int,
        batch_size: int, seed: int = 0, max_norm: float = 0.0, label: str = "",
        progress: bool = False, stop: Callable[[Curves], bool] | None = None,
        transform: Callable[[np.ndarray], np.ndarray] | None = None) -> Curves:
    """Train for `epochs`, measuring train and test loss/accuracy after each epoch.

    `stop(curves)` returning True ends training early (early stopping, on val_loss when
    `data` has x_val/y_val); `transform(x_train)` gives each epoch's inputs (distortions).
    A diverged run (non-finite loss) ends with `diverged` set and its last row as NaN.
    """
    curves = Curves()

    def after_epoch(stats: EpochStats) -> bool:
        curves.seconds.append(stats.seconds)
        if stats.diverged:
            curves.diverged = True
            for series in (curves.train_loss, curves.train_acc, curves.test_loss,
                           curves.test_acc):
                series.append(float("nan"))
            return True
        curves.record_epoch(model, data)
        if "x_val" in data:
            curves.val_loss.append(loss_and_accuracy(model, data["x_val"], data["y_val"])[0])
        return stop is not None and stop(curves)

    # seed + 1: the generator braintank train uses beside a model initialized from `seed`
    run_epochs(model, optimizer, data["x_train"], data["y_train"], epochs=epochs,
               batch_size=batch_size, rng=np.random.default_rng(seed + 1), max_norm=max_norm,
               transform=transform, after_epoch=after_epoch,
               progress="epochs" if progress else None, label=label or "training")
    return curves
