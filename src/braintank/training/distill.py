"""Knowledge distillation: a small student learns from a trained teacher's soft targets.

The loss mixes the usual cross-entropy on the labels with the KL divergence between the
teacher's and the student's softmax at temperature T (Hinton et al., 2015), scaled by T^2 so
its gradients keep their size as T changes. The teacher sees the same augmented batch as the
student, so the soft targets follow the writer/scanner augmentation.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from braintank import modelfile
from braintank.errors import BraintankError
from braintank.modelfile.shipped import default_model_path
from braintank.nets.optimize import for_inference

SHIPPED_TEACHER = "shipped"  # config value naming the model inside the package
DISTILL_TEMPERATURE = 4.0


def teacher_path(teacher: str) -> Path:
    return default_model_path() if teacher == SHIPPED_TEACHER else Path(teacher)


def load_teacher(teacher: str, normalize: tuple[float, float],
                 device: torch.device) -> nn.Module:
    """The teacher network, frozen for inference; it must read inputs normalised as the
    student's are."""
    saved = modelfile.load(teacher_path(teacher))
    if tuple(saved.normalize) != tuple(normalize):
        raise BraintankError(f"teacher {teacher}: normalises inputs with {saved.normalize}, "
                             f"the student with {list(normalize)}")
    network = for_inference(saved.network).to(device)
    for p in network.parameters():
        p.requires_grad_(False)
    return network


def distillation_loss(logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                      weight: float, label_smoothing: float = 0.0) -> torch.Tensor:
    """(1 - weight) * CE(labels) + weight * T^2 * KL(teacher_T || student_T)."""
    t = DISTILL_TEMPERATURE
    soft = F.kl_div(F.log_softmax(logits / t, dim=1), F.log_softmax(teacher_logits / t, dim=1),
                    reduction="batchmean", log_target=True)
    hard = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
    return (1 - weight) * hard + weight * t * t * soft
