"""Shared fixtures for the sheet tests: MNIST test digits, a template, the shipped classifier."""

from __future__ import annotations

import os
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
    from braintank.sheets.printing.layout import make_layout

    return make_layout(10, 10, "Test sheet")


def model_path() -> Path:
    """The model the reader tests use: $BRAINTANK_TEST_MODEL, else the shipped one."""
    from braintank.inference.classifier import default_model_path

    return Path(os.environ.get("BRAINTANK_TEST_MODEL") or default_model_path())


@pytest.fixture(scope="session")
def classifier():
    from braintank.inference.classifier import DigitClassifier

    if not model_path().is_file():
        pytest.skip(f"model {model_path()} not built yet")
    return DigitClassifier.load(model_path())


@pytest.fixture(scope="session")
def scans(tmp_path_factory, mnist_test, layout):
    """Simulated photos on disk, with their truth: name -> SimSheet."""
    from braintank.sheets.printing.layout import make_layout
    from braintank.sheets.simulating.simulate import simulate_sheet

    images, labels = mnist_test
    rng = np.random.default_rng(77)
    folder = tmp_path_factory.mktemp("scans")
    plan = {"good1.jpg": (layout, 200, None), "good2.jpg": (layout, 260, None),
            "upside-down.jpg": (layout, 220, 178.0),
            "other-template.jpg": (make_layout(5, 4, "Other"), 200, None)}
    sheets = {}
    for name, (lay, dpi, angle) in plan.items():
        sheet = simulate_sheet(lay, images, labels, rng, dpi=dpi, angle=angle)
        (folder / name).write_bytes(sheet.data)
        sheets[name] = sheet
    return folder, sheets


@pytest.fixture()
def rng():
    return np.random.default_rng(1234)
