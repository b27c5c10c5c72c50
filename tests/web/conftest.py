"""Web tests: an app on a fresh store for the test client, a real `braintank serve` process
for the restart and browser tests, and one simulated sheet with cells the reader flags."""

from __future__ import annotations

import importlib.util
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.web.browser import browser, page  # noqa: F401  (fixtures for the browser tests)

_SHEETS = Path(__file__).resolve().parents[1] / "sheets"
if str(_SHEETS) not in sys.path:
    sys.path.insert(0, str(_SHEETS))  # for `from simulator import simulate_sheet`
_spec = importlib.util.spec_from_file_location("_web_sheet_fixtures", _SHEETS / "conftest.py")
_sheet_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sheet_fixtures)
mnist_test = _sheet_fixtures.mnist_test

SRC = Path(__file__).resolve().parents[2] / "src"
TOKEN = "web-test-token-0123456789"


def png_bytes(grey: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(grey.astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


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
    from simulator import simulate_sheet

    from braintank.sheets.layout import make_layout

    images, labels = mnist_test
    sheet = simulate_sheet(make_layout(4, 5, "Web test"), images, labels,
                           np.random.default_rng(11), special_rate=0.35, dpi=200)
    return sheet.data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`braintank serve` as a real process on 127.0.0.1 (started, waited for, killed)."""

    def __init__(self, folder: Path, *extra: str) -> None:
        self.folder = folder
        self.extra = extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        env.pop("BRAINTANK_TOKEN", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "braintank.cli.main", "serve", "--port", str(self.port),
             "--db", str(self.folder / "sheets.db"), *self.extra],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not answer /health within 60 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture()
def server(tmp_path):
    running = Server(tmp_path).start()
    yield running
    running.kill()
