"""Build a network from its architecture spec: {"type": ..., **constructor arguments}."""

from __future__ import annotations

from torch import nn

from braintank.errors import BraintankError
from braintank.nets.cnn import DigitCNN, SmallCNN
from braintank.nets.ensemble import Ensemble
from braintank.nets.mlp import MLP
from braintank.nets.rnn import RowRNN

ARCHITECTURES: dict[str, type[nn.Module]] = {
    "mlp": MLP,
    "small_cnn": SmallCNN,
    "digit_cnn": DigitCNN,
    "row_rnn": RowRNN,
    "ensemble": Ensemble,
}


def build_model(spec: dict) -> nn.Module:
    """A fresh, randomly initialised network for `spec`."""
    spec = dict(spec)
    kind = spec.pop("type", None)
    if kind not in ARCHITECTURES:
        known = ", ".join(ARCHITECTURES)
        raise BraintankError(f"unknown architecture type {kind!r} (known: {known})")
    try:
        return ARCHITECTURES[kind](**spec)
    except (TypeError, ValueError) as exc:
        raise BraintankError(f"bad arguments for architecture {kind!r}: {exc}") from None


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
