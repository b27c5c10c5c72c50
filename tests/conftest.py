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


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, mnist_dir) -> Path:
    """A small MLP trained for one epoch on 3,000 images, finished like any run (model.pt with
    calibration): cheap, real, and independent of the shipped model."""
    import torch

    from braintank.training.config import TrainConfig
    from braintank.training.finalize import finalize
    from braintank.training.loop import start_run

    run_dir = tmp_path_factory.mktemp("tiny-run")
    cfg = TrainConfig(model="tiny", arch={"type": "mlp", "hidden": [64]}, lr=3e-3,
                      batch_size=100, epochs=2, val_size=1000, train_size=3000, seed=1)
    trainer = start_run(cfg, run_dir, torch.device("cpu"), progress=False)
    trainer.fit()
    finalize(trainer)
    return run_dir / "model.pt"


@pytest.fixture()
def serve_folder():
    """Start a real HTTP server on localhost for a folder: `url = serve_folder(root)`.
    Every server started is shut down after the test."""
    import functools
    import http.server
    import threading

    servers = []

    def start(root: Path) -> str:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
        handler.log_message = lambda *args: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
