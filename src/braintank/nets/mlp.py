"""Multi-layer perceptrons over the flattened 28x28 image (seeds 002 and 004)."""

from __future__ import annotations

import torch
from torch import nn


class MLP(nn.Module):
    """784 -> hidden... -> 10 with ReLU, optional dropout after each hidden layer."""

    def __init__(self, hidden: list[int], dropout: float = 0.0, in_features: int = 784,
                 num_classes: int = 10):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width = in_features
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, num_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)
