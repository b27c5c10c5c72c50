"""Web tests: an app on a fresh store for the test client, a real `braintank serve` process
for the restart and browser tests, and one simulated sheet with cells the reader flags."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from .browser import browser, page  # noqa: F401  (fixtures for the browser tests)
from .helpers import Server, png_bytes

_SHEETS = Path(__file__).resolve().parents[1] / "sheets"
_spec = importlib.util.spec_from_file_location("_web_sheet_fixtures", _SHEETS / "conftest.py")
_sheet_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sheet_fixtures)
mnist_test = _sheet_fixtures.mnist_test


@pytest.fixture()
def one_png() -> bytes:
    """A hand-made '1': a dark bar on white paper."""
    paper = np.full((120, 120), 255, np.uint8)
    paper[20:100, 54:66] = 0
    return png_bytes(paper)


@pytest.fixture()
def make_client(tmp_path):
    """make_client(**config) -> TestClient of an app on a fresh store in tmp_path."""
    from fastapi.testclient import TestClient

    from braintank.web.app import create_app
    from braintank.web.config import WebConfig

    clients = []

    def make(**settings) -> TestClient:
        config = WebConfig(db=tmp_path / "sheets.db", uploads=tmp_path / "uploads", **settings)
        client = TestClient(create_app(config))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture()
def client(make_client):
    return make_client()


@pytest.fixture(scope="session")
def flagged_sheet(mnist_test) -> bytes:
    """A simulated phone photo of a 4x5 sheet whose crossed-out and doubled digits the
    reader sends to review (PNG bytes)."""
    from braintank.sheets.printing.layout import make_layout
    from braintank.sheets.simulating.simulate import simulate_sheet

    images, labels = mnist_test
    sheet = simulate_sheet(make_layout(4, 5, "Web test"), images, labels,
                           np.random.default_rng(11), special_rate=0.35, dpi=200)
    return sheet.data


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One real server per test module (starting one takes seconds: torch is imported)."""
    running = Server(tmp_path_factory.mktemp("served")).start()
    yield running
    running.kill()
