"""frozen_norm (what finetune uses): batch norm keeps the statistics it started with, while
its scale and shift and every other weight still learn."""

from __future__ import annotations

import pytest
import torch

from braintank.errors import BraintankError
from braintank.training.config import TrainConfig
from braintank.training.loop import start_run

CPU = torch.device("cpu")


def small_conv(**overrides) -> TrainConfig:
    settings = dict(model="t", arch={"type": "digit_cnn", "width": 8, "hidden": 32},
                    batch_size=128, epochs=1, val_size=256, train_size=600, seed=3)
    return TrainConfig(**{**settings, **overrides})


def _stats(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items() if "running" in k}


def _weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items() if k.endswith("weight")}


@pytest.mark.parametrize("frozen", [True, False])
def test_running_statistics_stay_only_when_frozen(tmp_path, mnist_dir, frozen):
    trainer = start_run(small_conv(frozen_norm=frozen), tmp_path, CPU, progress=False)
    stats, weights = _stats(trainer.model), _weights(trainer.model)
    trainer.fit()
    after = _stats(trainer.model)
    same = [torch.equal(stats[k], after[k]) for k in stats]
    assert all(same) if frozen else not any(same)
    changed = [not torch.equal(weights[k], v) for k, v in _weights(trainer.model).items()]
    assert all(changed)  # convolutions, linear layers and batch norm scales all learned
    assert trainer.model.training  # dropout still works in training mode


def test_frozen_norm_must_be_a_boolean():
    with pytest.raises(BraintankError, match="frozen_norm"):
        small_conv(frozen_norm="yes").validate()
