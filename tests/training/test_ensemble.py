"""Ensembles: members sharing a validation split combine into one calibrated model file."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from braintank.cli.main import main
from braintank.data.transforms import train_val_split
from braintank.errors import BraintankError
from braintank.inference.classifier import DigitClassifier
from braintank.training.config import TrainConfig
from braintank.training.ensemble import build_ensemble


def _train(run_dir, seed: int, split_seed: int | None, hidden: int = 32):
    from braintank.training.finalize import finalize
    from braintank.training.loop import start_run

    cfg = TrainConfig(model="tiny", arch={"type": "mlp", "hidden": [hidden]}, lr=3e-3,
                      batch_size=100, epochs=1, val_size=500, train_size=2000, seed=seed,
                      split_seed=split_seed)
    trainer = start_run(cfg, run_dir, torch.device("cpu"), progress=False)
    trainer.fit()
    finalize(trainer)
    return run_dir


@pytest.fixture(scope="module")
def members(tmp_path_factory, mnist_dir):
    root = tmp_path_factory.mktemp("members")
    return [_train(root / "a", seed=1, split_seed=7),
            _train(root / "b", seed=2, split_seed=7, hidden=48)]


def test_split_seed_decides_the_validation_images_not_the_training_seed():
    assert TrainConfig(seed=3, split_seed=0).validation_seed == 0
    assert TrainConfig(seed=3).validation_seed == 3
    a = train_val_split(60000, 500, TrainConfig(seed=1, split_seed=7).validation_seed)[1]
    b = train_val_split(60000, 500, TrainConfig(seed=2, split_seed=7).validation_seed)[1]
    assert np.array_equal(a, b)


def test_ensemble_averages_member_log_probabilities(members, tmp_path):
    out = tmp_path / "ens.pt"
    result = build_ensemble(members, out)
    assert 0 < result["calibration"]["temperature"] and len(result["member_test_accuracy"]) == 2
    ens = DigitClassifier.load(out)
    singles = [DigitClassifier.load(m / "model.pt") for m in members]
    x = torch.randn(16, 1, 28, 28)
    with torch.no_grad():
        expected = torch.stack([torch.log_softmax(c.model(x), 1) for c in singles]).mean(0)
        assert torch.allclose(ens.model(x), expected, atol=1e-6)
    # the file predicts like any model, with its own calibration
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 13:16] = 255
    [p] = ens.predict([digit])
    assert p.status in ("ok", "review") and abs(sum(p.probabilities) - 1) < 1e-5


def test_members_with_different_validation_splits_are_refused(members, tmp_path, mnist_dir):
    other = _train(tmp_path / "c", seed=3, split_seed=8)
    with pytest.raises(BraintankError, match="--split-seed"):
        build_ensemble([members[0], other], tmp_path / "bad.pt")
    assert not (tmp_path / "bad.pt").exists()


def test_cli_ensemble_reports_members_and_refuses_one_model(members, tmp_path, capsys):
    out = tmp_path / "cli.pt"
    assert main(["ensemble", str(members[0]), str(members[1]), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "ensemble of 2: test accuracy" in text and out.is_file()
    assert main(["eval", "--model", str(out)]) == 0
    capsys.readouterr()
    assert main(["ensemble", str(members[0]), "--out", str(tmp_path / "one.pt")]) != 0
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "at least two models" in err
