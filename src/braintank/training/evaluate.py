"""Forward passes over whole tensors in batches: logits, loss and accuracy."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


@torch.no_grad()
def compute_logits(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits [N, classes] in evaluation mode; the model's train/eval mode is restored."""
    was_training = model.training
    model.eval()
    try:
        parts = [model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(parts) if parts else torch.empty(0, 10, device=x.device)


def loss_and_accuracy(logits: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    if len(y) == 0:
        return float("nan"), float("nan")
    loss = F.cross_entropy(logits.float(), y).item()
    accuracy = (logits.argmax(1) == y).float().mean().item()
    return loss, accuracy
