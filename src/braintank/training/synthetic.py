"""Stroke-drawn digits and non-digit marks mixed into each training batch.

`synth` replaces that share of each batch's images with digits drawn in writing conventions
MNIST lacks (`data.stroke_digits`); `outliers` adds that share of the batch size in marks
that are not one digit (`data.non_digits`: "10", struck-out digits, scribbles, letters,
dashes), labelled -1. Their loss (`outlier_loss`) pulls the network's belief on them towards
all ten digits alike (outlier exposure), so the review threshold sends them to a person.

Each epoch draws fresh banks from a generator seeded by (seed, epoch), so a resumed run
sees the same images; batches pick from the banks with the augmentation generator, whose
state the checkpoints keep. Both then go through the run's augmentation like MNIST's digits.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from braintank.data.non_digits import NOT_A_DIGIT, draw_marks
from braintank.data.stroke_digits import draw_digits
from braintank.data.writer_augment import generator_device
from braintank.training.config import TrainConfig

# Bank sizes per epoch, at most: drawn afresh each epoch, picked from with replacement.
# Drawing costs about 1.5 ms an image on one core; a bank this size costs seconds, not a
# share of the epoch. Small runs draw about as many as they use.
DIGIT_BANK = 6000
MARK_BANK = 3000
# Marks made of digits ("10", a struck-out digit) take them from this many training images.
SOURCE_DIGITS = 5000


class SyntheticMix:
    """Mixes the epoch's stroke-drawn digits and marks into batches (normalised values)."""

    def __init__(self, cfg: TrainConfig, x_train: torch.Tensor, normalize: tuple[float, float]):
        self.cfg = cfg
        self.mean, self.std = normalize
        self.device = x_train.device
        self.sizes = (min(DIGIT_BANK, math.ceil(cfg.synth * len(x_train))),
                      min(MARK_BANK, math.ceil(cfg.outliers * len(x_train))))
        sources = x_train[:SOURCE_DIGITS, 0].detach().cpu().numpy() * self.std + self.mean
        self.sources = np.clip(sources, 0.0, 1.0).astype(np.float32)
        self.epoch = -1
        self.digits = self.labels = self.marks = None

    @property
    def active(self) -> bool:
        return self.cfg.synth > 0 or self.cfg.outliers > 0

    def start_epoch(self, epoch: int) -> None:
        """Draw the banks of epoch `epoch` (0-based), unless they are drawn already."""
        if epoch == self.epoch or not self.active:
            return
        rng = np.random.default_rng([self.cfg.seed, epoch, 0x5EED])
        if self.cfg.synth > 0:
            images, labels = draw_digits(self.sizes[0], rng)
            self.digits = self._tensor(images)
            self.labels = torch.from_numpy(labels).to(self.device)
        if self.cfg.outliers > 0:
            self.marks = self._tensor(draw_marks(self.sizes[1], rng, self.sources)[0])
        self.epoch = epoch

    def _tensor(self, images: np.ndarray) -> torch.Tensor:
        x = (torch.from_numpy(images)[:, None] - self.mean) / self.std
        return x.to(self.device)

    def mix(self, x: torch.Tensor, y: torch.Tensor, generator: torch.Generator | None
            ) -> tuple[torch.Tensor, torch.Tensor, int]:
        """(images, labels, marks): the batch with its last `synth` share replaced by
        stroke-drawn digits and `outliers` x its size of marks appended at the end (label
        NOT_A_DIGIT; `marks` says how many, so no device read is needed to find them)."""
        if not self.active:
            return x, y, 0
        n = len(y)
        swap = round(self.cfg.synth * n) if self.digits is not None else 0
        extra = round(self.cfg.outliers * n) if self.marks is not None else 0
        parts_x, parts_y = [x[:n - swap]], [y[:n - swap]]
        if swap:
            pick = self._pick(len(self.digits), swap, generator)
            parts_x.append(self.digits[pick])
            parts_y.append(self.labels[pick])
        if extra:
            pick = self._pick(len(self.marks), extra, generator)
            parts_x.append(self.marks[pick])
            parts_y.append(torch.full((extra,), NOT_A_DIGIT, dtype=y.dtype, device=y.device))
        return torch.cat(parts_x).to(x.dtype), torch.cat(parts_y), extra

    def _pick(self, size: int, count: int, generator: torch.Generator | None) -> torch.Tensor:
        drawn = torch.randint(size, (count,), generator=generator,
                              device=generator_device(generator))
        return drawn.to(self.device)


def outlier_loss(logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy from the uniform distribution over the ten digits (mean over marks)."""
    return -F.log_softmax(logits.float(), dim=1).mean(dim=1).mean()
