"""An ensemble: several trained networks voting by their averaged log-probabilities.

Averaging log-softmax outputs (a normalised geometric mean of the members' probabilities)
keeps the output a vector of logits, so everything downstream — temperature scaling, the
review threshold, ONNX export — treats an ensemble like any single network.
"""

from __future__ import annotations

import torch
from torch import nn


class Ensemble(nn.Module):
    """Members rebuilt from their architecture specs; forward returns mean log-probabilities."""

    def __init__(self, members: list[dict]):
        super().__init__()
        from braintank.errors import BraintankError
        from braintank.nets.factory import build_model  # the factory registers this class

        if not members:
            raise BraintankError("an ensemble needs at least one member")
        if any(spec.get("type") == "ensemble" for spec in members):
            raise BraintankError("ensemble members must be single networks, not ensembles")
        self.members = nn.ModuleList(build_model(spec) for spec in members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        log_probs = [torch.log_softmax(member(x), dim=1) for member in self.members]
        return torch.stack(log_probs).mean(dim=0)
