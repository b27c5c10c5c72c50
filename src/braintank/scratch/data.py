"""MNIST as the scratch engine consumes it: normalized float rows, a seeded validation split,
and shuffled mini-batches gathered into reused buffers."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from braintank.data.mnist_stats import MNIST_MEAN, MNIST_STD
from braintank.errors import BraintankError


def prepare_images(images: np.ndarray, dtype="float32") -> np.ndarray:
    """uint8 [N, 28, 28] (or [N, 784]) -> [N, 784] with (pixel/255 - 0.1307)/0.3081."""
    images = np.asarray(images)
    if images.ndim < 2:
        raise BraintankError(f"images must be [N, H, W] or [N, D], got shape {images.shape}")
    flat = images.reshape(len(images), -1).astype(dtype)
    flat *= 1.0 / (255.0 * MNIST_STD)
    flat -= MNIST_MEAN / MNIST_STD
    return flat


def validation_split(n: int, val_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices): the last val_size of a seeded permutation."""
    if not 0 <= val_size < n:
        raise BraintankError(f"validation size must be in [0, {n}), got {val_size}")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[: n - val_size]), np.sort(order[n - val_size:])


def minibatches(x: np.ndarray, y: np.ndarray, batch_size: int,
                rng: np.random.Generator | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Shuffled (rng given) mini-batches; the yielded arrays are reused between batches."""
    if batch_size < 1:
        raise BraintankError(f"batch size must be >= 1, got {batch_size}")
    n = len(x)
    order = rng.permutation(n) if rng is not None else np.arange(n)
    xb = np.empty((min(batch_size, n),) + x.shape[1:], dtype=x.dtype)
    yb = np.empty(min(batch_size, n), dtype=y.dtype)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        if len(idx) == len(xb):
            yield np.take(x, idx, axis=0, out=xb), np.take(y, idx, out=yb)
        else:
            yield x[idx], y[idx]
