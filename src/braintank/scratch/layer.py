"""The layer contract: each layer owns its forward and its backward (the micrograd spirit).

forward(x) caches what backward needs; backward(grad_out) fills the layer's parameter
gradients and returns the gradient with respect to its input, for the whole mini-batch.
Outputs live in buffers the layer reuses on the next call with the same batch size, so the
training loop allocates nothing per step; copy an output if you keep it past the next call.
"""

from __future__ import annotations

import numpy as np


class Layer:
    """Base class: a parameter-free identity with training/evaluation mode."""

    training: bool = True
    param_names: tuple[str, ...] = ()
    grad_names: tuple[str, ...] = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad

    def params(self) -> list[np.ndarray]:
        """Arrays the optimizer updates in place (the attributes named in param_names)."""
        return [getattr(self, name) for name in self.param_names]

    def grads(self) -> list[np.ndarray]:
        """Gradients of the loss with respect to params(), in the same order."""
        return [getattr(self, name) for name in self.grad_names]

    def spec(self) -> dict:
        """A JSON-able description from which `build_layer` rebuilds the layer."""
        return {"type": type(self).__name__.lower()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.spec().items() if k != "type")
        return f"{type(self).__name__}({args})"


def buffer(current: np.ndarray | None, shape: tuple[int, ...], dtype) -> np.ndarray:
    """`current` when it already has this shape and dtype, else a fresh empty array."""
    if current is not None and current.shape == shape and current.dtype == dtype:
        return current
    return np.empty(shape, dtype=dtype)
