"""Weight initializers of course 5: LeCun, Xavier/Glorot, He, constants and large N(0, 1).

A dense weight matrix has the PyTorch layout (out_features, in_features), so
fan_in = shape[1] and fan_out = shape[0].
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from braintank.errors import BraintankError

Initializer = Callable[[tuple[int, int], np.random.Generator, np.dtype], np.ndarray]


def _fans(shape: tuple[int, int]) -> tuple[int, int]:
    return shape[1], shape[0]


def _normal(std: float, shape, rng, dtype) -> np.ndarray:
    return (rng.standard_normal(shape) * std).astype(dtype)


def _uniform(limit: float, shape, rng, dtype) -> np.ndarray:
    return rng.uniform(-limit, limit, shape).astype(dtype)


def lecun_normal(shape, rng, dtype=np.float32) -> np.ndarray:
    """N(0, 1/fan_in): keeps the variance of a linear layer's output equal to its input's."""
    fan_in, _ = _fans(shape)
    return _normal(np.sqrt(1.0 / fan_in), shape, rng, dtype)


def lecun_uniform(shape, rng, dtype=np.float32) -> np.ndarray:
    fan_in, _ = _fans(shape)
    return _uniform(np.sqrt(3.0 / fan_in), shape, rng, dtype)


def xavier_normal(shape, rng, dtype=np.float32) -> np.ndarray:
    """N(0, 2/(fan_in+fan_out)): balances forward and backward variance (tanh, sigmoid)."""
    fan_in, fan_out = _fans(shape)
    return _normal(np.sqrt(2.0 / (fan_in + fan_out)), shape, rng, dtype)


def xavier_uniform(shape, rng, dtype=np.float32) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    return _uniform(np.sqrt(6.0 / (fan_in + fan_out)), shape, rng, dtype)


def he_normal(shape, rng, dtype=np.float32) -> np.ndarray:
    """N(0, 2/fan_in): ReLU zeroes half its inputs, so the variance is doubled to compensate."""
    fan_in, _ = _fans(shape)
    return _normal(np.sqrt(2.0 / fan_in), shape, rng, dtype)


def he_uniform(shape, rng, dtype=np.float32) -> np.ndarray:
    fan_in, _ = _fans(shape)
    return _uniform(np.sqrt(6.0 / fan_in), shape, rng, dtype)


def zeros(shape, rng, dtype=np.float32) -> np.ndarray:
    """All zeros: every hidden unit stays identical (the symmetry problem of course 5)."""
    return np.zeros(shape, dtype=dtype)


def constant(shape, rng, dtype=np.float32, value: float = 0.5) -> np.ndarray:
    """One constant: as symmetric as zeros, only one iteration further along."""
    return np.full(shape, value, dtype=dtype)


def large_normal(shape, rng, dtype=np.float32) -> np.ndarray:
    """N(0, 1) regardless of fan-in: saturates tanh/sigmoid units (course 5's experiment)."""
    return _normal(1.0, shape, rng, dtype)


INITIALIZERS: dict[str, Initializer] = {
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "zeros": zeros,
    "constant": constant,
    "normal": large_normal,
}


def get_initializer(name: str) -> Initializer:
    """The initializer called `name`; a BraintankError listing the known names otherwise."""
    try:
        return INITIALIZERS[name]
    except KeyError:
        known = ", ".join(sorted(INITIALIZERS))
        raise BraintankError(f"unknown initializer {name!r} (known: {known})") from None
