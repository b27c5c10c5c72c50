"""The NumPy engine's one training loop: epochs of shuffled mini-batches through forward, loss,
backward, an optimizer step and max-norm, with a callback after every epoch.

Both trainers of the engine run on it. `braintank train --engine numpy` (scratch/trainer.py)
wraps it in run folders, checkpoints, resuming, a learning-rate schedule and early stopping;
the course experiments (experiments/training.py) record curves on the training and test sets
and turn their knob (max-norm, an optimizer, a batch size, distorted inputs). Whatever the
caller adds, one generator shuffles the batches and draws the dropout masks, in the same order
every epoch, so a seed fixes a run exactly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from braintank.progress import progress_bar
from braintank.scratch.data import minibatches
from braintank.scratch.dropout import Dropout
from braintank.scratch.losses import SoftmaxCrossEntropy, check_labels
from braintank.scratch.model import Sequential
from braintank.scratch.optim import Optimizer
from braintank.scratch.regularization import apply_max_norm

# the batch bar's loss/accuracy are refreshed this often: formatting them every batch costs
BAR_EVERY_BATCHES = 50


@dataclass
class EpochStats:
    """One pass over the training data, measured while it trained."""

    number: int  # 1-based
    loss: float  # mean loss of the batches as trained (dropout on, weights moving)
    accuracy: float  # those batches' accuracy
    seconds: float  # the pass alone: no evaluation, no distortion of the inputs
    diverged_at: int | None = None  # 1-based batch whose loss was not finite; loss is that loss

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None


def share_rng(model: Sequential, rng: np.random.Generator) -> None:
    """One generator for shuffling and dropout masks, so a run replays from its seed (and a
    resumed run from the generator state its checkpoint saved)."""
    for layer in model.layers:
        if isinstance(layer, Dropout):
            layer.rng = rng


def loss_and_accuracy(model: Sequential, x: np.ndarray, y: np.ndarray,
                      batch_size: int = 4096) -> tuple[float | None, float | None]:
    """Mean cross-entropy and accuracy in evaluation mode; (None, None) for no samples."""
    if len(x) == 0:
        return None, None
    scores = model.predict_scores(x, batch_size)
    loss = SoftmaxCrossEntropy().forward(scores, check_labels(y, len(x), scores.shape[1]))
    return loss, float((scores.argmax(axis=1) == y).mean())


def _one_pass(model: Sequential, optimizer: Optimizer, x: np.ndarray, y: np.ndarray,
              batch_size: int, rng: np.random.Generator, max_norm: float | None,
              bar) -> tuple[float, float, int | None]:
    """Train on every mini-batch once: (mean loss, accuracy, batch that diverged or None)."""
    model.train()
    loss = SoftmaxCrossEntropy()
    params, grads = [model.flat_params], [model.flat_grads]
    total_loss, hits, seen = 0.0, 0, 0
    n_batches = bar.total if bar is not None else 0
    for step, (xb, yb) in enumerate(minibatches(x, y, batch_size, rng), 1):
        # overflow shows up as a non-finite loss, which the caller reports (or records) once
        with np.errstate(over="ignore", invalid="ignore"):
            logits = model.forward(xb)
            value = loss.forward(logits, yb)
        if not math.isfinite(value):
            return value, float("nan"), step
        hits += int(np.count_nonzero(logits.argmax(axis=1) == yb))
        total_loss += value * len(yb)
        seen += len(yb)
        model.backward(loss.backward())
        optimizer.step(params, grads)
        if max_norm:
            apply_max_norm(model.layers, max_norm)
        if bar is not None and (step % BAR_EVERY_BATCHES == 0 or step == n_batches):
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{hits / seen:.4f}",
                            refresh=False)
            bar.update(step - bar.n)
    return total_loss / seen, hits / seen, None


def run_epochs(model: Sequential, optimizer: Optimizer, x: np.ndarray, y: np.ndarray, *,
               epochs: int, batch_size: int, rng: np.random.Generator,
               max_norm: float | None = None, first_epoch: int = 0,
               stop_after: int | None = None,
               learning_rate: Callable[[int], float] | None = None,
               transform: Callable[[np.ndarray], np.ndarray] | None = None,
               after_epoch: Callable[[EpochStats], bool] | None = None,
               progress: str | None = None, label: str = "training") -> int:
    """Train epochs first_epoch + 1 .. `epochs` (1-based) and return the last one run.

    Before each epoch `learning_rate(number)`, when given, becomes the optimizer's rate, and
    `transform(x)`, when given, replaces the inputs for that epoch (fresh distortions); after
    it `after_epoch(stats)` evaluates, logs or saves and returns True to stop. A diverged
    epoch (non-finite loss) ends its pass at that batch and always ends training, after its
    `after_epoch` (which may raise). `stop_after` ends this call after that many epochs.
    `progress`: None, "epochs" (one bar named `label`) or "batches" (one bar per epoch).
    """
    share_rng(model, rng)
    last = epochs if stop_after is None else min(epochs, first_epoch + stop_after)
    epoch_bar = progress_bar(total=last - first_epoch, desc=label, unit="epoch", leave=False,
                             disable=progress != "epochs")
    number = first_epoch
    with epoch_bar:
        while number < last:
            number += 1
            if learning_rate is not None:
                optimizer.lr = learning_rate(number)
            inputs = transform(x) if transform is not None else x
            batch_bar = None
            if progress == "batches":  # summary=False: the caller prints the epoch's line
                batch_bar = progress_bar(total=math.ceil(len(x) / batch_size), summary=False,
                                         desc=f"epoch {number}/{epochs}", leave=False,
                                         unit="batch")
            started = time.perf_counter()
            try:
                loss, accuracy, diverged_at = _one_pass(model, optimizer, inputs, y, batch_size,
                                                        rng, max_norm, batch_bar)
            finally:
                if batch_bar is not None:
                    batch_bar.close()
            stats = EpochStats(number, loss, accuracy, time.perf_counter() - started,
                               diverged_at)
            stop = after_epoch(stats) if after_epoch is not None else False
            epoch_bar.update(1)
            if stop or stats.diverged:
                break
    return number
