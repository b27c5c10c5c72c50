"""Shared fixtures for the sheet tests: MNIST test digits, a template, the shipped classifier."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def mnist_test():
    from braintank.data import load_split
    from braintank.errors import BraintankError

    try:
        return load_split("mnist", "test", allow_download=False)
    except BraintankError as exc:
        pytest.skip(f"MNIST test split not found (set BRAINTANK_DATA): {exc}")


@pytest.fixture(scope="session")
def layout():
    from braintank.sheets.layout import make_layout

    return make_layout(10, 10, "Test sheet")


@pytest.fixture(scope="session")
def classifier():
    from braintank.inference.classifier import DigitClassifier, default_model_path

    if not default_model_path().is_file():
        pytest.skip(f"shipped model {default_model_path()} not built yet")
    return DigitClassifier.load()


@pytest.fixture()
def rng():
    return np.random.default_rng(1234)
