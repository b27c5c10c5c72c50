"""train_scratch / evaluate_scratch on small synthetic data: files, resume, bad input."""

import json

import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.runlog import read_metrics
from braintank.scratch.config import PRESETS, ScratchConfig, get_preset
from braintank.scratch.data import prepare_images, validation_split
from braintank.scratch.serialize import load_model
from braintank.scratch.trainer import evaluate_scratch, train_scratch


def synthetic_digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """uint8 28x28 images whose class is a bright 7x7 block at one of 10 positions."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(labels):
        row, col = divmod(int(label), 5)
        images[i, 3 + 12 * row: 10 + 12 * row, 1 + 5 * col: 6 + 5 * col] = 250
    return images, labels


def synthetic_data(n: int = 1200) -> dict[str, np.ndarray]:
    images, labels = synthetic_digits(n)
    x = prepare_images(images)
    train_idx, val_idx = validation_split(n, 200, seed=0)
    test_images, test_labels = synthetic_digits(300, seed=1)
    return {"x_train": x[train_idx], "y_train": labels[train_idx], "x_val": x[val_idx],
            "y_val": labels[val_idx], "x_test": prepare_images(test_images),
            "y_test": test_labels, "test_images": test_images}


def small_config(**changes) -> ScratchConfig:
    base = ScratchConfig(preset="test", hidden=(24,), epochs=3, batch_size=32, lr=0.05,
                         dropout=0.1, max_norm=3.0, weight_decay=1e-4, seed=3)
    return base.replace(**changes)


def test_run_writes_log_checkpoints_and_learns(tmp_path):
    data = synthetic_data()
    summary = train_scratch(small_config(), tmp_path / "run", progress=False, data=data)
    run = tmp_path / "run"
    for name in ("config.json", "metrics.jsonl", "curves.png", "last.npz", "best.npz",
                 "model.npz", "summary.json"):
        assert (run / name).is_file(), name
    rows = read_metrics(run)
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert set(rows[0]) >= {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr",
                            "seconds"}
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]
    assert summary["test_accuracy"] > 0.9
    assert json.loads((run / "config.json").read_text())["hidden"] == [24]
    result = evaluate_scratch(run / "model.npz", data["test_images"], data["y_test"])
    assert result["accuracy"] == pytest.approx(summary["test_accuracy"])


def test_resume_continues_to_the_same_weights(tmp_path):
    data = synthetic_data(600)
    train_scratch(small_config(epochs=2), tmp_path / "full", progress=False, data=data)
    train_scratch(small_config(epochs=2), tmp_path / "part", progress=False, data=data,
                  stop_after=1)
    assert [r["epoch"] for r in read_metrics(tmp_path / "part")] == [1]
    train_scratch(None, tmp_path / "part", progress=False, data=data, resume=True)
    full, resumed = load_model(tmp_path / "full/last.npz"), load_model(tmp_path / "part/last.npz")
    np.testing.assert_array_equal(full.flat_params, resumed.flat_params)
    assert [r["epoch"] for r in read_metrics(tmp_path / "part")] == [1, 2]


def test_divergence_raises_and_keeps_the_last_good_checkpoint(tmp_path):
    data = synthetic_data()
    train_scratch(small_config(epochs=1), tmp_path / "run", progress=False, data=data)
    good = load_model(tmp_path / "run/last.npz").flat_params.copy()
    with pytest.raises(BraintankError, match="training diverged: loss is (nan|inf)"):
        train_scratch(small_config(epochs=3, lr=1e6, lr_schedule="constant", max_norm=None,
                                   optimizer="sgd", optimizer_args={}),
                      tmp_path / "run2", progress=False, data=data)
    np.testing.assert_array_equal(load_model(tmp_path / "run/last.npz").flat_params, good)


def test_existing_run_folder_is_not_overwritten(tmp_path):
    data = synthetic_data(400)
    train_scratch(small_config(epochs=1), tmp_path / "run", progress=False, data=data)
    with pytest.raises(BraintankError, match="already holds a run"):
        train_scratch(small_config(epochs=1), tmp_path / "run", progress=False, data=data)


def test_labels_out_of_range_are_rejected(tmp_path):
    data = synthetic_data(400)
    data["y_train"] = data["y_train"].copy()
    data["y_train"][5] = 12
    with pytest.raises(BraintankError, match="label 12 out of range for 10 classes"):
        train_scratch(small_config(epochs=1), tmp_path / "run", progress=False, data=data)


@pytest.mark.parametrize("changes, message", [
    ({"optimizer": "adamw"}, "unknown optimizer 'adamw'"),
    ({"init": "orthogonal"}, "unknown initializer 'orthogonal'"),
    ({"activation": "gelu"}, "unknown activation 'gelu'"),
    ({"lr_schedule": "linear"}, "unknown lr schedule 'linear'"),
    ({"lr_schedule": "onecycle"}, "lr schedule 'onecycle' is not available with the numpy"),
    ({"dropout": 1.0}, r"dropout must be >= 0 and < 1 and finite, got 1\.0"),
    ({"dtype": "int8"}, "unsupported dtype"),
])
def test_bad_settings_are_named(changes, message):
    with pytest.raises(BraintankError, match=message):
        small_config(**changes).validate()


def test_presets_are_valid_and_unknown_ones_are_named():
    for name in PRESETS:
        assert get_preset(name).preset == name
    assert get_preset("mlp-800").hidden == (800,)
    with pytest.raises(BraintankError, match="unknown scratch preset 'resnet'"):
        get_preset("resnet")


def test_evaluate_rejects_a_foreign_npz(tmp_path):
    np.savez(tmp_path / "x.npz", a=np.zeros(3))
    with pytest.raises(BraintankError, match="not a braintank scratch model"):
        evaluate_scratch(tmp_path / "x.npz", np.zeros((1, 28, 28), np.uint8), np.array([0]))


def test_tiny_preset_on_real_mnist(tmp_path, mnist):
    summary = train_scratch(get_preset("tiny"), tmp_path / "run", progress=False)
    assert summary["test_accuracy"] > 0.85
