"""Shared fixtures of the scratch-engine tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest


def numeric_grad(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences, perturbing `x` in place one entry at a time."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


@pytest.fixture(name="numeric_grad")
def numeric_grad_fixture() -> Callable:
    """Central finite differences (float64) as a fixture, so test modules need no imports."""
    return numeric_grad


@pytest.fixture(scope="session")
def mnist() -> dict[str, np.ndarray]:
    """Real MNIST through the project loader; skips when the files are not available."""
    from braintank.data import load_split
    from braintank.errors import BraintankError

    try:
        train = load_split("mnist", "train", allow_download=False)
        test = load_split("mnist", "test", allow_download=False)
    except BraintankError as exc:
        pytest.skip(f"MNIST not found (set BRAINTANK_DATA): {exc}")
    return {"train_images": train[0], "train_labels": train[1],
            "test_images": test[0], "test_labels": test[1]}
