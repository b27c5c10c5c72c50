"""`keep`: model.pt holds the weights of the epoch best on validation, or of the last epoch."""

from __future__ import annotations

import pytest
import torch

from braintank import modelfile
from braintank.errors import BraintankError
from braintank.training.config import TrainConfig
from braintank.training.finalize import finalize
from braintank.training.loop import start_run
from braintank.training.presets import get_preset


def _run(tmp_path, keep: str):
    # a rate so high that the first epoch stays the best on validation
    cfg = TrainConfig(model="tiny", arch={"type": "mlp", "hidden": [32]}, lr=0.1,
                      batch_size=100, epochs=4, val_size=500, train_size=1500, seed=1,
                      keep=keep)
    run_dir = tmp_path / keep
    trainer = start_run(cfg, run_dir, torch.device("cpu"), progress=False)
    state = trainer.fit()
    summary = finalize(trainer)
    return run_dir, state, summary


def _same_weights(a, b) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                  b.state_dict().values(), strict=True))


@pytest.mark.parametrize("keep", ["best", "last"])
def test_model_file_holds_the_kept_epochs_weights(mnist_dir, tmp_path, keep):
    run_dir, state, summary = _run(tmp_path, keep)
    # the settings make an earlier epoch win on validation, so best and last differ
    assert state.best_epoch < state.epoch
    model = modelfile.load(run_dir / "model.pt").network
    source = "best.pt" if keep == "best" else "last.pt"
    assert _same_weights(model, modelfile.load(run_dir / source).network)
    assert summary["kept"] == keep


def test_unknown_keep_is_a_one_line_error():
    with pytest.raises(BraintankError, match="unknown keep 'middle'"):
        TrainConfig(keep="middle").validate()


def test_the_default_preset_keeps_its_last_epoch():
    assert get_preset("cnn").config().keep == "last"
