"""Regularization beyond weight decay: the max-norm constraint and early stopping (course 5)."""

from __future__ import annotations

import numpy as np

from braintank.errors import BraintankError
from braintank.scratch.dense import Dense


def apply_max_norm(layers: list, max_norm: float) -> None:
    """Rescale each unit's incoming weight vector (a row of W) to norm <= max_norm, in place.

    Applied after every optimizer step, it bounds the weights however large the learning
    rate, which is why it pairs well with dropout (Srivastava et al. 2014 use c = 3-4).
    """
    if not max_norm > 0:
        raise BraintankError(f"max_norm must be > 0, got {max_norm}")
    for layer in layers:
        if not isinstance(layer, Dense):
            continue
        norms = np.sqrt(np.einsum("ij,ij->i", layer.W, layer.W))
        too_big = norms > max_norm
        if too_big.any():
            layer.W[too_big] *= (max_norm / norms[too_big])[:, None].astype(layer.W.dtype)


class EarlyStopping:
    """Stop when the validation loss has not improved by min_delta for `patience` epochs."""

    def __init__(self, patience: int = 5, min_delta: float = 0.0) -> None:
        if patience < 1:
            raise BraintankError(f"patience must be >= 1, got {patience}")
        self.patience = patience
        self.min_delta = min_delta
        self.best_ = float("inf")
        self.best_epoch_ = 0
        self.bad_epochs_ = 0

    def update(self, epoch: int, val_loss: float) -> bool:
        """Record this epoch's validation loss; True when training should stop."""
        if val_loss < self.best_ - self.min_delta:
            self.best_, self.best_epoch_, self.bad_epochs_ = val_loss, epoch, 0
        else:
            self.bad_epochs_ += 1
        return self.bad_epochs_ >= self.patience

    @property
    def improved(self) -> bool:
        """Whether the last update was a new best."""
        return self.bad_epochs_ == 0

    def state(self) -> dict[str, float]:
        return {"best": self.best_, "best_epoch": self.best_epoch_, "bad_epochs": self.bad_epochs_}

    def load_state(self, state: dict[str, float]) -> None:
        self.best_ = float(state["best"])
        self.best_epoch_ = int(state["best_epoch"])
        self.bad_epochs_ = int(state["bad_epochs"])
