"""Shared test setup: MNIST comes from $BRAINTANK_DATA (CI: ../shared/datasets)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from braintank.data.registry import locate

_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
if "BRAINTANK_DATA" not in os.environ and (_SHARED / "mnist").is_dir():
    os.environ["BRAINTANK_DATA"] = str(_SHARED)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    folder = locate("mnist")
    if folder is None:
        pytest.skip("MNIST not found: set BRAINTANK_DATA to a folder holding mnist/")
    return folder
