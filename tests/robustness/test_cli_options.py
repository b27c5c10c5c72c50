"""`braintank train` options out of range are one-line errors before any work starts, and a
diverged run says truthfully which checkpoint is kept (issue 10, items 14 and 15)."""

from __future__ import annotations

import math

import pytest
import torch

from braintank.errors import BraintankError
from braintank.training.config import TrainConfig
from braintank.training.loop import start_run

from .cli_errors import one_line_error


@pytest.mark.parametrize("threads", ["-1", "0", "100000"])
def test_threads_out_of_range_is_refused(capsys, tmp_path, threads):
    before = torch.get_num_threads()
    # --epochs 0 would stop an unfixed build before it trains; the thread check comes first
    line = one_line_error(capsys, ["train", "--model", "mlp-50", "--threads", threads,
                                   "--epochs", "0", "--out", str(tmp_path / "run")])
    assert "--threads must be" in line and threads in line
    assert torch.get_num_threads() == before
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("flag, value, fragment", [
    ("--lr", "inf", "learning rate"),
    ("--lr", "nan", "learning rate"),
    ("--lr", "0", "learning rate"),
    ("--weight-decay", "inf", "weight decay"),
    ("--weight-decay", "nan", "weight decay"),
    ("--clip-grad", "nan", "gradient clip"),
    ("--clip-grad", "inf", "gradient clip"),
    ("--augment-prob", "nan", "augment probability"),
    ("--batch-size", "0", "batch size"),
    ("--epochs", "-2", "epochs"),
    ("--val-size", "-1", "val size"),
    ("--train-size", "-5", "train size"),
    ("--patience", "-1", "patience"),
    ("--seed", "-1", "seed"),
    ("--split-seed", "-3", "split seed"),
])
def test_numeric_options_are_checked_before_training(capsys, tmp_path, flag, value, fragment):
    # small settings first, so that an unchecked value costs an unfixed build one tiny epoch
    line = one_line_error(capsys, ["train", "--model", "mlp-50", "--train-size", "300",
                                   "--val-size", "100", "--epochs", "1", "--no-progress",
                                   "--out", str(tmp_path / "run"), flag, value])
    assert fragment in line and value in line, line
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("settings, fragment", [
    ({"momentum": math.nan}, "momentum"),
    ({"momentum": -0.5}, "momentum"),
    ({"betas": (0.9, 1.5)}, "betas"),
    ({"betas": (0.9,)}, "betas"),
    ({"betas": "high"}, "betas"),
    ({"gamma": math.inf}, "gamma"),
    ({"gamma": 0.0}, "gamma"),
    ({"step_size": 0}, "step size"),
    ({"eval_batch_size": 0}, "eval batch size"),
    ({"lr": "fast"}, "learning rate"),
    ({"epochs": 2.5}, "epochs"),
    ({"batch_size": True}, "batch size"),
    ({"label_smoothing": math.nan}, "label smoothing"),
    ({"arch": "mlp"}, "arch"),
    ({"dataset": 5}, "dataset"),
])
def test_settings_read_back_from_a_run_are_checked_too(settings, fragment):
    """`train --resume` rebuilds the config from last.pt: hostile values are one-line errors."""
    data = {**TrainConfig().to_dict(), **settings}
    with pytest.raises(BraintankError, match=fragment):
        TrainConfig.from_dict(data, source="last.pt").validate()


def test_unknown_and_mistyped_settings_name_the_file():
    with pytest.raises(BraintankError, match="last.pt: unknown training settings: colour"):
        TrainConfig.from_dict({"colour": "red"}, source="last.pt")
    with pytest.raises(BraintankError, match="last.pt"):
        TrainConfig.from_dict({"betas": 5}, source="last.pt")


def test_divergence_before_the_first_checkpoint_says_none_was_written(tmp_path, mnist_dir):
    cfg = TrainConfig(model="tiny", arch={"type": "mlp", "hidden": [16]}, lr=1e30,
                      batch_size=100, epochs=1, val_size=100, train_size=500, seed=0)
    trainer = start_run(cfg, tmp_path / "run", torch.device("cpu"), progress=False)
    with pytest.raises(BraintankError) as caught:
        trainer.fit()
    message = str(caught.value)
    assert "diverged" in message and "no checkpoint was written" in message, message
    assert "last good checkpoint" not in message
    assert not (tmp_path / "run" / "last.pt").exists()


@pytest.mark.parametrize("flag, value", [("--lr", "inf"), ("--weight-decay", "inf")])
def test_the_numpy_engine_checks_numeric_options_too(capsys, tmp_path, flag, value):
    line = one_line_error(capsys, ["train", "--engine", "numpy", "--model", "tiny",
                                   "--no-progress", "--out", str(tmp_path / "run"), flag, value])
    assert "finite" in line and value in line, line
    assert not (tmp_path / "run").exists()


def test_numpy_engine_divergence_before_a_checkpoint_says_none_was_written(capsys, tmp_path,
                                                                          mnist_dir):
    line = one_line_error(capsys, ["train", "--engine", "numpy", "--model", "tiny", "--lr",
                                   "1e30", "--no-progress", "--out", str(tmp_path / "run")])
    assert "diverged" in line and "no checkpoint was written" in line, line
    assert not (tmp_path / "run" / "last.npz").exists()


def test_cv_refuses_zero_epochs_instead_of_ignoring_it(capsys, tmp_path):
    # --folds 1 would stop an unfixed build early; the epochs check comes first
    line = one_line_error(capsys, ["cv", "--epochs", "0", "--folds", "1",
                                   "--out", str(tmp_path / "cv")])
    assert "epochs" in line and "0" in line, line
