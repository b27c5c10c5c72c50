"""Inverted dropout (course 5): zero a fraction p of units while training, scale the rest.

Scaling the kept units by 1/(1-p) during training keeps each unit's expected value, so
evaluation needs no adjustment and the layer is the identity there.
"""

from __future__ import annotations

import numpy as np

from braintank.errors import BraintankError
from braintank.scratch.layer import Layer, buffer


class Dropout(Layer):
    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        if not 0.0 <= p < 1.0:
            raise BraintankError(f"dropout probability must be in [0, 1), got {p}")
        self.p = float(p)
        self.rng = rng if rng is not None else np.random.default_rng()
        self._mask = None
        self._y = None
        self._dx = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self.training or self.p == 0.0:
            self._mask = None
            return x
        self._mask = buffer(self._mask, x.shape, x.dtype)
        self.rng.random(out=self._mask, dtype=x.dtype)
        # mask = (u >= p) / (1 - p), computed in place in the buffer
        np.greater_equal(self._mask, self.p, out=self._mask)
        self._mask *= 1.0 / (1.0 - self.p)
        self._y = buffer(self._y, x.shape, x.dtype)
        return np.multiply(x, self._mask, out=self._y)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        if self._mask is None:
            return grad
        self._dx = buffer(self._dx, grad.shape, grad.dtype)
        return np.multiply(grad, self._mask, out=self._dx)

    def spec(self) -> dict:
        return {"type": "dropout", "p": self.p}
