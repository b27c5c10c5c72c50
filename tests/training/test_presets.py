"""Every named recipe builds and trains; the slow check reproduces a preset's accuracy."""

from __future__ import annotations

import pytest
import torch

from braintank.training.finalize import finalize
from braintank.training.loop import start_run
from braintank.training.presets import PRESETS, get_preset

CPU = torch.device("cpu")


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_trains_one_short_epoch(name, tmp_path, mnist_dir):
    cfg = get_preset(name).config(epochs=1, train_size=256, val_size=128, batch_size=64)
    trainer = start_run(cfg, tmp_path, CPU, progress=False)
    state = trainer.fit()
    assert state.epoch == 1 and 0 <= state.best_acc <= 1
    assert (tmp_path / "last.pt").is_file() and (tmp_path / "curves.png").is_file()


@pytest.mark.slow
def test_mlp50_reproduces_the_seed_accuracy(tmp_path, mnist_dir):
    """Seed 004 reports 97.10% for this setting; measured 97.23% with seed 0."""
    trainer = start_run(get_preset("mlp-50").config(seed=0), tmp_path, CPU, progress=False)
    trainer.fit()
    assert finalize(trainer)["test_accuracy"] >= 0.971
