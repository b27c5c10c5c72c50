"""The `fast` preset: its network, and one full run of it (CI's short run of the recipe)."""

from __future__ import annotations

import json

import pytest
import torch

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.nets import build_model
from braintank.nets.cnn import FastCNN


def test_fast_cnn_reads_28x28_digits_through_its_crop():
    model = FastCNN(crop_size=24)
    assert model(torch.zeros(5, 1, 28, 28)).shape == (5, 10)
    # pixels outside the crop do not reach the network; pixels inside do
    x = torch.zeros(1, 1, 28, 28)
    border, inside = x.clone(), x.clone()
    border[..., 0:2, :] = border[..., :, 26:] = 3.0
    inside[..., 14, 14] = 3.0
    model.eval()
    assert torch.equal(model(x), model(border))
    assert not torch.equal(model(x), model(inside))


@pytest.mark.parametrize("size", [20, 22, 24, 26, 28])
def test_every_allowed_crop_builds_a_matching_classifier(size):
    model = build_model({"type": "fast_cnn", "crop_size": size})
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


@pytest.mark.parametrize("size", [19, 21, 30, 1000])
def test_a_crop_the_network_cannot_take_is_refused_in_one_line(size):
    with pytest.raises(BraintankError, match="crop_size must be 20, 22, 24, 26 or 28"):
        build_model({"type": "fast_cnn", "crop_size": size})


def test_fast_preset_reaches_99_percent_in_one_epoch_and_times_only_training(
        tmp_path, mnist_dir, capsys):
    """The whole recipe, as a user runs it: one epoch on 55,000 images (seed 0 measured
    99.16% test). train_seconds counts the training pass only, so it is less than the
    epoch's wall time, which includes the validation."""
    run = tmp_path / "fast"
    assert main(["train", "--model", "fast", "--out", str(run), "--no-progress",
                 "--data-dir", str(mnist_dir.parent)]) == 0
    summary = json.loads((run / "summary.json").read_text())
    assert summary["epochs_run"] == 1
    assert summary["test_accuracy"] >= 0.988
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert 0 < summary["train_seconds"] == round(rows[0]["train_seconds"], 2) \
        < rows[0]["seconds"]
    assert "fast: test accuracy" in capsys.readouterr().out
