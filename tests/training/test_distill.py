"""Distillation: the student follows the teacher's soft targets, and bad settings are refused."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from braintank.errors import BraintankError
from braintank.training.config import TrainConfig
from braintank.training.data import load_run_data
from braintank.training.distill import distillation_loss
from braintank.training.loop import Trainer, start_run

CPU = torch.device("cpu")


def student_config(teacher: str, **overrides) -> TrainConfig:
    settings = dict(model="student", arch={"type": "lite_cnn", "width": 4, "hidden": 16},
                    lr=3e-3, batch_size=100, epochs=1, val_size=200, train_size=600, seed=3,
                    teacher=teacher)
    return TrainConfig(**{**settings, **overrides})


def test_the_loss_mixes_labels_and_soft_targets():
    logits, teacher = torch.randn(8, 10), torch.randn(8, 10)
    labels = torch.randint(0, 10, (8,))
    assert torch.allclose(distillation_loss(logits, teacher, labels, 0.0),
                          F.cross_entropy(logits, labels))
    assert distillation_loss(teacher, teacher, labels, 1.0).abs() < 1e-6  # nothing to learn
    assert distillation_loss(logits, teacher, labels, 1.0) > 0.01


def test_with_full_weight_the_labels_do_not_matter(tmp_path, tiny_model):
    """The student learns from the teacher alone: scrambled labels give the same weights."""
    weights = []
    for scramble in (False, True):
        cfg = student_config(str(tiny_model), distill_weight=1.0).validate()
        data = load_run_data(cfg, CPU)
        if scramble:
            data.y_train = (data.y_train + 1) % 10
        trainer = Trainer(cfg, tmp_path / str(scramble), CPU, progress=False, data=data)
        trainer.fit()
        weights.append(trainer.model.state_dict())
    for name, tensor in weights[0].items():
        assert torch.equal(tensor, weights[1][name]), name


def test_a_short_distilled_run_learns(tmp_path, tiny_model):
    trainer = start_run(student_config(str(tiny_model), epochs=2), tmp_path, CPU,
                        progress=False)
    assert trainer.fit().best_acc > 0.5


@pytest.mark.parametrize("settings, message", [
    ({"distill_weight": 1.5}, "distill weight must be >= 0 and <= 1"),
    ({"distill_weight": float("nan")}, "distill weight"),
    ({"teacher": 3}, "teacher must be a string, got 3"),
])
def test_bad_distillation_settings_are_refused(settings, message, tiny_model):
    with pytest.raises(BraintankError, match=message):
        student_config(**{"teacher": str(tiny_model), **settings}).validate()


def test_a_teacher_must_read_the_same_inputs(tmp_path, tiny_model):
    with pytest.raises(BraintankError, match="normalises inputs with"):
        start_run(student_config(str(tiny_model), normalize="none"), tmp_path, CPU,
                  progress=False)
    with pytest.raises(BraintankError, match="missing.pt"):
        start_run(student_config(str(tmp_path / "missing.pt")), tmp_path / "b", CPU,
                  progress=False)
