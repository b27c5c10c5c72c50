"""The robustness tests reuse the sheet tests' fixtures (MNIST digits, the shipped classifier,
simulated scans) instead of keeping a second copy of them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SHEETS = Path(__file__).resolve().parents[1] / "sheets"
# Loaded under its own name: pytest imports tests/sheets/conftest.py as plain `conftest`.
_spec = importlib.util.spec_from_file_location("_sheet_fixtures", _SHEETS / "conftest.py")
_sheet_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sheet_fixtures)

mnist_test = _sheet_fixtures.mnist_test
classifier = _sheet_fixtures.classifier
layout = _sheet_fixtures.layout
scans = _sheet_fixtures.scans
model_path = _sheet_fixtures.model_path
