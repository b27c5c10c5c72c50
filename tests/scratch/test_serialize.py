"""Save/load round trip, rejection of foreign .npz files, and conversion to PyTorch."""

import numpy as np
import pytest
import torch

from braintank.errors import BraintankError
from braintank.scratch import mlp
from braintank.scratch.serialize import load_meta, load_model, save_model
from braintank.scratch.to_torch import to_torch


def test_round_trip_preserves_predictions_and_meta(tmp_path):
    model = mlp([12, 9, 7, 4], activation="tanh", dropout=0.2, seed=5)
    x = np.random.default_rng(0).standard_normal((30, 12)).astype(np.float32)
    save_model(model, tmp_path / "m.npz", meta={"preset": "tiny"})
    loaded = load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.predict_scores(x), model.predict_scores(x))
    assert loaded.spec() == model.spec()
    assert load_meta(tmp_path / "m.npz") == {"preset": "tiny"}


def test_foreign_npz_is_rejected(tmp_path):
    np.savez(tmp_path / "weights.npz", W=np.zeros((2, 2)))
    with pytest.raises(BraintankError, match="not a braintank scratch model"):
        load_model(tmp_path / "weights.npz")


def test_non_npz_and_missing_files_are_rejected(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(BraintankError, match="not a readable .npz"):
        load_model(tmp_path / "junk.npz")
    with pytest.raises(BraintankError, match="file not found"):
        load_model(tmp_path / "absent.npz")


def test_truncated_parameters_are_rejected(tmp_path):
    model = mlp([4, 3, 2])
    save_model(model, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        arrays = {k: data[k] for k in data.files}
    arrays["param.2"] = np.zeros((5, 5), dtype=np.float32)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(BraintankError, match="parameter 2 is missing or has the wrong shape"):
        load_model(tmp_path / "bad.npz")


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "identity"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_to_torch_gives_the_same_predictions(activation, dtype):
    model = mlp([20, 16, 8, 5], activation=activation, dropout=0.3, dtype=dtype, seed=2)
    x = np.random.default_rng(1).standard_normal((50, 20)).astype(dtype)
    module = to_torch(model)
    with torch.no_grad():
        theirs = module(torch.from_numpy(x)).numpy()
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(model.predict_scores(x), theirs, rtol=tol, atol=tol)


def test_engine_does_not_import_torch():
    """braintank.scratch must run without PyTorch (to_torch imports it only when called)."""
    import subprocess
    import sys

    code = ("import sys, braintank.scratch, braintank.scratch.trainer, "
            "braintank.scratch.to_torch, braintank.scratch.demos; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
