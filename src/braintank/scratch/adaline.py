"""Adaline (Widrow-Hoff): a linear unit trained on its error even when the sign is right.

Minimises the ½ MSE between z = w·x + β and the ±1 label, so w ← w + α(t − z)x
(online) or w ← w + α·mean((t − z)x) (batch): gradient descent of course 3. The
hyperplane keeps adapting after every sample is classified, settling between the classes
instead of stopping at the first separating line.
"""

from __future__ import annotations

import numpy as np

from braintank.errors import BraintankError
from braintank.scratch.perceptron import to_signed_labels


class Adaline:
    """After fit: weights_, bias_, epochs_, losses_ (½ MSE per epoch)."""

    def __init__(self, lr: float = 0.01, mode: str = "batch", max_epochs: int = 100,
                 tol: float = 1e-7, shuffle: bool = True, seed: int | None = 0) -> None:
        self.lr = lr
        self.mode = mode
        self.max_epochs = max_epochs
        self.tol = tol
        self.shuffle = shuffle
        self.seed = seed

    def fit(self, x: np.ndarray, y: np.ndarray) -> Adaline:
        if self.mode not in ("online", "batch"):
            raise BraintankError(f"unknown Adaline mode {self.mode!r} (known: online, batch)")
        x = np.asarray(x, dtype=np.float64)
        t = to_signed_labels(y)
        rng = np.random.default_rng(self.seed)
        self.weights_ = rng.uniform(-0.01, 0.01, x.shape[1])
        self.bias_ = 0.0
        self.losses_ = []
        for epoch in range(1, self.max_epochs + 1):
            order = rng.permutation(len(x)) if self.shuffle else np.arange(len(x))
            if self.mode == "online":
                self._online_epoch(x[order], t[order])
            else:
                self._batch_epoch(x, t)
            err = t - self.decision_function(x)
            self.losses_.append(float(0.5 * np.mean(err ** 2)))
            self.epochs_ = epoch
            if not np.isfinite(self.losses_[-1]):
                raise BraintankError(f"Adaline diverged at epoch {epoch} (lr {self.lr} too large)")
            if epoch > 1 and abs(self.losses_[-2] - self.losses_[-1]) < self.tol:
                break
        return self

    def _online_epoch(self, x, t) -> None:
        for xi, ti in zip(x, t, strict=True):
            err = ti - (xi @ self.weights_ + self.bias_)
            self.weights_ += self.lr * err * xi
            self.bias_ += self.lr * err

    def _batch_epoch(self, x, t) -> None:
        err = t - self.decision_function(x)
        self.weights_ += self.lr * (err @ x) / len(x)
        self.bias_ += self.lr * float(err.mean())

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) @ self.weights_ + self.bias_

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.where(self.decision_function(x) > 0, 1, -1)

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        return float((self.predict(x) == to_signed_labels(y)).mean())
