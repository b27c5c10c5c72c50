"""An ensemble: several trained networks voting by their averaged log-probabilities.

Averaging log-softmax outputs (a normalised geometric mean of the members' probabilities)
keeps the output a vector of logits, so everything downstream — temperature scaling, the
review threshold, ONNX export — treats an ensemble like any single network.
"""

from __future__ import annotations

import torch
from torch import nn

from braintank.errors import BraintankError


class Ensemble(nn.Module):
    """Already-built member networks; forward returns their mean log-probabilities.

    The members come built (by `nets.build_model` from a spec, or loaded from model files),
    so this module needs no factory and the factory can build ensembles without a cycle.
    """

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        if not members:
            raise BraintankError("an ensemble needs at least one member")
        if any(isinstance(member, Ensemble) for member in members):
            raise BraintankError("ensemble members must be single networks, not ensembles")
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        log_probs = [torch.log_softmax(member(x), dim=1) for member in self.members]
        return torch.stack(log_probs).mean(dim=0)
