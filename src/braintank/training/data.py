"""The tensors a run trains on: normalised, split, resident on the device."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from braintank.data import load_split
from braintank.data.transforms import normalization, to_tensor, train_val_split
from braintank.training.config import TrainConfig


@dataclass
class RunData:
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    normalize: tuple[float, float]

    @property
    def background(self) -> float:
        """The normalised value of a blank pixel (what augmentation pads with)."""
        mean, std = self.normalize
        return -mean / std

    @property
    def ink(self) -> float:
        """The normalised value of full ink (the ink augmentations work between the two)."""
        mean, std = self.normalize
        return (1.0 - mean) / std


def load_run_data(cfg: TrainConfig, device: torch.device, data_dir: str | None = None,
                  split: tuple[np.ndarray, np.ndarray] | None = None) -> RunData:
    """Training and validation tensors; `split` = (train_idx, val_idx) overrides the seeded
    hold-out of cfg.val_size images (cross-validation passes its folds here)."""
    images, labels = load_split(cfg.dataset, "train", data_dir)
    train_idx, val_idx = split or train_val_split(len(labels), cfg.val_size, cfg.validation_seed)
    if cfg.train_size:
        train_idx = train_idx[:cfg.train_size]
    mean, std = normalization(cfg.normalize)

    def tensors(idx):
        return to_tensor(images[idx], mean, std, device), torch.tensor(labels[idx]).to(device)

    x_train, y_train = tensors(train_idx)
    x_val, y_val = tensors(val_idx)
    return RunData(x_train, y_train, x_val, y_val, (mean, std))
