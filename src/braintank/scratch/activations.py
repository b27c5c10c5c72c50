"""Activation layers of courses 3-5: identity, binary threshold, sigmoid, tanh, ReLU, softmax."""

from __future__ import annotations

import numpy as np

from braintank.scratch.layer import Layer, buffer


class Identity(Layer):
    """Linear activation: no activation at all (how the course explains 'none')."""

    def spec(self) -> dict:
        return {"type": "identity"}


class Threshold(Layer):
    """Binary threshold: 1 where x > 0 else `low` (0 or -1).

    Not differentiable, so backward returns zeros: exactly why the course replaces it by
    sigmoid for gradient descent.
    """

    def __init__(self, low: float = 0.0) -> None:
        self.low = low

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._shape = x.shape
        return np.where(x > 0, 1.0, self.low).astype(x.dtype)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return np.zeros_like(grad)

    def spec(self) -> dict:
        return {"type": "threshold", "low": self.low}


class Sigmoid(Layer):
    """Logistic 1/(1+e^-x); derivative y(1-y)."""

    _y = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._y = buffer(self._y, x.shape, x.dtype)
        # e^-x overflows to inf for very negative x, giving the correct limit 0
        with np.errstate(over="ignore"):
            np.negative(x, out=self._y)
            np.exp(self._y, out=self._y)
        self._y += 1
        np.reciprocal(self._y, out=self._y)
        return self._y

    def backward(self, grad: np.ndarray) -> np.ndarray:
        y = self._y
        return grad * y * (1 - y)

    def spec(self) -> dict:
        return {"type": "sigmoid"}


class Tanh(Layer):
    """Hyperbolic tangent; derivative 1 - y²."""

    _y = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._y = buffer(self._y, x.shape, x.dtype)
        return np.tanh(x, out=self._y)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * (1 - self._y * self._y)

    def spec(self) -> dict:
        return {"type": "tanh"}


class ReLU(Layer):
    """max(0, x); its gradient passes where the unit was active and stops elsewhere."""

    _y = None
    _mask = None
    _dx = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._y = buffer(self._y, x.shape, x.dtype)
        return np.maximum(x, 0, out=self._y)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._mask = buffer(self._mask, grad.shape, np.bool_)
        self._dx = buffer(self._dx, grad.shape, grad.dtype)
        np.greater(self._y, 0, out=self._mask)
        return np.multiply(grad, self._mask, out=self._dx)

    def spec(self) -> dict:
        return {"type": "relu"}


class Softmax(Layer):
    """Row-wise softmax, shifted by the row maximum so exp never overflows.

    backward applies the softmax Jacobian, y ⊙ (g - Σ g y); when softmax feeds a
    cross-entropy loss, use SoftmaxCrossEntropy on the logits instead (gradient y - t).
    """

    _y = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._y = buffer(self._y, x.shape, x.dtype)
        np.subtract(x, x.max(axis=1, keepdims=True), out=self._y)
        np.exp(self._y, out=self._y)
        self._y /= self._y.sum(axis=1, keepdims=True)
        return self._y

    def backward(self, grad: np.ndarray) -> np.ndarray:
        y = self._y
        return y * (grad - (grad * y).sum(axis=1, keepdims=True))

    def spec(self) -> dict:
        return {"type": "softmax"}


ACTIVATIONS: dict[str, type[Layer]] = {
    "identity": Identity, "threshold": Threshold, "sigmoid": Sigmoid,
    "tanh": Tanh, "relu": ReLU, "softmax": Softmax,
}
