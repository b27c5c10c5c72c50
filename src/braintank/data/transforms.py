"""Pixels to network input: normalization, and seeded splits of the training set."""

from __future__ import annotations

import numpy as np
import torch

from braintank.data.mnist_stats import MNIST_MEAN, MNIST_STD
from braintank.errors import BraintankError

# (mean, std) applied to pixels scaled to [0, 1]. "mnist": the training set's own statistics;
# "half": the (0.5, 0.5) the seeds use, mapping pixels to [-1, 1].
NORMALIZATIONS: dict[str, tuple[float, float]] = {
    "mnist": (MNIST_MEAN, MNIST_STD),
    "half": (0.5, 0.5),
    "none": (0.0, 1.0),
}


def normalization(name: str) -> tuple[float, float]:
    try:
        return NORMALIZATIONS[name]
    except KeyError:
        known = ", ".join(NORMALIZATIONS)
        raise BraintankError(f"unknown normalization {name!r} (known: {known})") from None


def dataset_stats(images: np.ndarray) -> tuple[float, float]:
    """Mean and std of uint8 images scaled to [0, 1] (0.1307 / 0.3081 on MNIST train)."""
    scaled = images.astype(np.float64) / 255.0
    return float(scaled.mean()), float(scaled.std())


def to_tensor(images: np.ndarray, mean: float, std: float,
              device: str | torch.device = "cpu") -> torch.Tensor:
    """uint8 [N,28,28] (or float in [0,1]) -> normalised float32 [N,1,28,28] on `device`."""
    x = torch.tensor(np.asarray(images)).to(device)  # a copy: loaded arrays are read-only
    x = x.float() / 255.0 if x.dtype == torch.uint8 else x.float()
    return ((x - mean) / std).unsqueeze(1)


def train_val_split(n: int, val_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train_idx, val_idx) over n samples; val_size=0 gives an empty validation set."""
    if not 0 <= val_size < n:
        raise BraintankError(f"validation size {val_size} must be in [0, {n})")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[val_size:]), np.sort(order[:val_size])


def kfold_indices(n: int, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """K seeded (train_idx, test_idx) pairs; every sample is tested exactly once."""
    if not 2 <= folds <= n:
        raise BraintankError(f"--folds must be between 2 and {n}, got {folds}")
    order = np.random.default_rng(seed).permutation(n)
    parts = np.array_split(order, folds)
    return [
        (np.sort(np.concatenate(parts[:k] + parts[k + 1:])), np.sort(parts[k]))
        for k in range(folds)
    ]
