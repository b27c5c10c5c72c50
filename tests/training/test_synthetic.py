"""Stroke-drawn digits and non-digit marks in training: the mix, the outlier loss, and a run
that uses both resumes to the same weights and learns to doubt marks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from braintank.data.non_digits import NOT_A_DIGIT
from braintank.data.stroke_digits import draw_digits
from braintank.errors import BraintankError
from braintank.training.config import TrainConfig
from braintank.training.loop import resume_run, start_run
from braintank.training.synthetic import SyntheticMix, outlier_loss

CPU = torch.device("cpu")


def test_outlier_loss_is_least_for_even_belief():
    even = torch.zeros(4, 10)
    assert math.isclose(outlier_loss(even).item(), math.log(10), rel_tol=1e-6)
    sure = torch.zeros(4, 10)
    sure[:, 3] = 20.0
    assert outlier_loss(sure).item() > 10 * outlier_loss(even).item() / 2


def test_mix_replaces_a_share_and_appends_marks_labelled_not_a_digit():
    cfg = TrainConfig(synth=0.25, outliers=0.125, seed=3)
    drawn, labels = draw_digits(64, np.random.default_rng(0))
    x, y = torch.from_numpy(drawn)[:, None], torch.from_numpy(labels)
    mix = SyntheticMix(cfg, x, (0.0, 1.0))
    mix.start_epoch(0)
    gen = torch.Generator().manual_seed(0)
    mx, my, marks = mix.mix(x, y, gen)
    assert marks == 8
    assert mx.shape == (72, 1, 28, 28) and my.shape == (72,)
    assert torch.equal(my[:48], y[:48]) and torch.equal(mx[:48], x[:48])
    assert ((my[48:64] >= 0) & (my[48:64] <= 9)).all()
    assert (my[64:] == NOT_A_DIGIT).all()
    assert (mx[48:].amax(dim=(1, 2, 3)) > 0.5).all()  # drawn ink
    assert not any(torch.equal(mx[i], x[j]) for i in range(48, 64) for j in range(64))
    again = SyntheticMix(cfg, x, (0.0, 1.0))
    again.start_epoch(0)
    assert torch.equal(again.mix(x, y, torch.Generator().manual_seed(0))[0], mx)
    again.start_epoch(1)
    assert not torch.equal(again.digits, mix.digits)  # a fresh bank each epoch


def test_inactive_mix_returns_the_batch_itself():
    x, y = torch.zeros(8, 1, 28, 28), torch.arange(8)
    mix = SyntheticMix(TrainConfig(), x, (0.0, 1.0))
    mix.start_epoch(0)
    assert mix.mix(x, y, None)[0] is x and mix.mix(x, y, None)[2] == 0


@pytest.mark.parametrize(("name", "value"), [("synth", 1.0), ("synth", -0.1),
                                             ("outliers", float("nan")),
                                             ("outlier_weight", 11.0)])
def test_bad_shares_are_refused(name, value):
    with pytest.raises(BraintankError, match=name.replace("_", " ").split()[0]):
        TrainConfig(**{name: value}).validate()


def tiny(**overrides) -> TrainConfig:
    settings = dict(model="tiny", arch={"type": "mlp", "hidden": [64]}, optimizer="adam",
                    lr=3e-3, batch_size=128, epochs=2, schedule="onecycle",
                    augment="affine", val_size=500, train_size=3000, seed=5, synth=0.2,
                    outliers=0.25)
    return TrainConfig(**{**settings, **overrides})


def test_a_run_with_synthetic_data_resumes_to_the_same_weights(tmp_path, mnist_dir):
    whole = start_run(tiny(), tmp_path / "whole", CPU, progress=False)
    whole.fit()
    first = start_run(tiny(), tmp_path / "split", CPU, progress=False)
    first.fit(stop_after=1)
    del first
    second = resume_run(tmp_path / "split", CPU, progress=False)
    second.fit()
    for name, tensor in whole.model.state_dict().items():
        assert torch.equal(tensor, second.model.state_dict()[name]), name


def test_outlier_exposure_lowers_belief_on_marks(tmp_path, mnist_dir):
    """The same tiny run with and without marks: with them, fresh marks get far less
    confident readings, and the gap to the validation digits' widens."""
    from braintank.data.non_digits import draw_marks

    marks = torch.from_numpy(draw_marks(200, np.random.default_rng(123))[0])[:, None]
    top = {}
    for outliers in (0.0, 0.25):
        trainer = start_run(tiny(outliers=outliers, synth=0.0, epochs=3, augment="none"),
                            tmp_path / str(outliers), CPU, progress=False)
        trainer.fit()
        mean, std = trainer.data.normalize
        trainer.model.eval()
        with torch.no_grad():
            p_marks = trainer.model((marks - mean) / std).softmax(1).amax(1).mean().item()
            p_val = trainer.model(trainer.data.x_val).softmax(1).amax(1).mean().item()
        top[outliers] = (p_marks, p_val)
    print(top)
    gap = {k: v[1] - v[0] for k, v in top.items()}  # digits' belief above the marks'
    assert top[0.25][0] < top[0.0][0] - 0.2
    assert gap[0.25] > gap[0.0] + 0.1
