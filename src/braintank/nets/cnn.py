"""Convolutional networks: the course's small CNN (seed 004), braintank's default `cnn` and
its distilled student `cnn-student`."""

from __future__ import annotations

import torch
from torch import nn


class SmallCNN(nn.Module):
    """Seed 004: conv3x3(8) -> maxpool2 -> conv3x3(16) -> maxpool2 -> FC 10."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(16 * 7 * 7, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x).flatten(1))


def conv_bn(cin: int, cout: int, kernel: int = 3, padding: int = 1,
            stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class DigitCNN(nn.Module):
    """braintank's default: two VGG-style stages of batch-normalised 3x3 convolutions.

    28 -> [c, c] -> pool 14 -> [2c, 2c] -> pool 7 -> flatten -> FC 256 -> dropout -> FC 10.
    The classifier reads the 7x7 map position by position (a flatten, not a global average):
    where a stroke is matters for digits (a 6 is a 9 upside down).
    """

    def __init__(self, width: int = 32, hidden: int = 256, dropout: float = 0.3,
                 num_classes: int = 10):
        super().__init__()
        c = width
        self.features = nn.Sequential(
            conv_bn(1, c), conv_bn(c, c), nn.MaxPool2d(2),
            conv_bn(c, 2 * c), conv_bn(2 * c, 2 * c), nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(2 * c * 7 * 7, hidden, bias=False), nn.BatchNorm1d(hidden),
            nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(hidden, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class FastCNN(nn.Module):
    """braintank's `fast` preset: the fewest multiply-adds that still reach 99% in one epoch.

    centre crop -> conv5x5(c1) -> pool -> ReLU -> conv3x3(c2) -> pool -> ReLU -> FC -> 10.
    MNIST centres each digit's mass in a 20x20 box, so the outer pixels are nearly always
    blank: reading the central 24x24 costs no accuracy and a third of the convolutions' work.
    Pooling before the ReLU applies the ReLU to a quarter of the values; no batch norm, which
    on the CPU costs about as much time as the convolutions it follows.
    """

    def __init__(self, crop_size: int = 24, c1: int = 24, c2: int = 32, hidden: int = 256,
                 num_classes: int = 10):
        super().__init__()
        if crop_size not in (20, 22, 24, 26, 28):
            raise ValueError(f"crop_size must be 20, 22, 24, 26 or 28 pixels, got {crop_size}")
        side = ((crop_size - 4) // 2 - 2) // 2
        self.margin = (28 - crop_size) // 2
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 5), nn.MaxPool2d(2), nn.ReLU(inplace=True),
            nn.Conv2d(c1, c2, 3), nn.MaxPool2d(2), nn.ReLU(inplace=True),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(c2 * side * side, hidden),
                                  nn.ReLU(inplace=True), nn.Linear(hidden, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.margin
        return self.head(self.features(x[:, :, m:28 - m, m:28 - m]))


class LiteCNN(nn.Module):
    """A small student for fast CPU reading, distilled from DigitCNN (preset `cnn-student`).

    28 -> stem 4x4 stride 2 (c) -> 14 -> [2c] -> pool 7 -> [4c] -> flatten -> FC hidden -> FC 10.
    With c = 16 about 2.1M multiply-adds per digit, a ninth of DigitCNN's 19M. The stride-2
    stem halves the image at once: 3x3 convolutions at full 28x28 resolution are where
    DigitCNN spends its time, and with few channels they run far below the CPU's peak.
    """

    def __init__(self, width: int = 16, hidden: int = 64, dropout: float = 0.1,
                 num_classes: int = 10):
        super().__init__()
        c = width
        self.features = nn.Sequential(
            conv_bn(1, c, kernel=4, padding=1, stride=2), conv_bn(c, 2 * c), nn.MaxPool2d(2),
            conv_bn(2 * c, 4 * c),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(4 * c * 7 * 7, hidden, bias=False), nn.BatchNorm1d(hidden),
            nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(hidden, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))
