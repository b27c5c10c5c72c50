"""Recurrent networks reading the image row by row: 28 time steps of 28 pixels (seed 004)."""

from __future__ import annotations

import torch
from torch import nn

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RowRNN(nn.Module):
    """RNN/LSTM/GRU over image rows; a linear layer reads the outputs of all 28 steps."""

    def __init__(self, cell: str = "lstm", hidden: int = 256, layers: int = 2,
                 num_classes: int = 10, steps: int = 28, step_size: int = 28):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown recurrent cell {cell!r} (known: {', '.join(CELLS)})")
        self.steps, self.step_size = steps, step_size
        self.rnn = CELLS[cell](step_size, hidden, layers, batch_first=True)
        self.fc = nn.Linear(hidden * steps, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x.reshape(x.shape[0], self.steps, self.step_size))
        return self.fc(out.flatten(1))
