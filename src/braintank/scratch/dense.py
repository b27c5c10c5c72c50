"""Fully connected layer y = x Wᵀ + b, W of shape (out_features, in_features) as in PyTorch."""

from __future__ import annotations

import numpy as np

from braintank.errors import BraintankError
from braintank.scratch.initializers import constant, get_initializer
from braintank.scratch.layer import Layer, buffer

DTYPES = {"float32": np.float32, "float64": np.float64}


def resolve_dtype(dtype) -> np.dtype:
    """np.float32 or np.float64 from a name or a NumPy dtype; BraintankError otherwise."""
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in DTYPES:
        raise BraintankError(f"unsupported dtype {dtype!r} (use float32 or float64)")
    return np.dtype(DTYPES[name])


class Dense(Layer):
    """A dense layer; `needs_input_grad=False` skips dL/dx (the first layer needs none)."""

    param_names = ("W", "b")
    grad_names = ("dW", "db")

    def __init__(self, in_features: int, out_features: int, init: str = "he_normal",
                 dtype="float32", rng: np.random.Generator | None = None,
                 init_value: float = 0.5) -> None:
        if int(in_features) < 1 or int(out_features) < 1:
            raise BraintankError(f"dense layer sizes must be positive, got "
                                 f"{in_features}->{out_features}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.init = init
        self.dtype = resolve_dtype(dtype)
        rng = rng if rng is not None else np.random.default_rng()
        shape = (self.out_features, self.in_features)
        if init == "constant":
            self.W = constant(shape, rng, self.dtype, init_value)
            self.b = np.full(self.out_features, init_value, dtype=self.dtype)
        else:
            self.W = get_initializer(init)(shape, rng, self.dtype)
            self.b = np.zeros(self.out_features, dtype=self.dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.needs_input_grad = True
        self._x: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise BraintankError(f"dense layer {self.in_features}->{self.out_features} got input "
                                 f"of shape {x.shape}, expected (batch, {self.in_features})")
        self._x = x
        self._y = buffer(self._y, (x.shape[0], self.out_features), self.dtype)
        np.matmul(x, self.W.T, out=self._y)
        self._y += self.b
        return self._y

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        np.matmul(grad.T, self._x, out=self.dW)
        grad.sum(axis=0, out=self.db)
        if not self.needs_input_grad:
            return None
        self._dx = buffer(self._dx, self._x.shape, self.dtype)
        np.matmul(grad, self.W, out=self._dx)
        return self._dx

    def spec(self) -> dict:
        return {"type": "dense", "in_features": self.in_features,
                "out_features": self.out_features, "dtype": self.dtype.name}
