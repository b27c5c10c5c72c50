"""Build a network from its architecture spec: {"type": ..., **constructor arguments}."""

from __future__ import annotations

from torch import nn

from braintank.errors import BraintankError
from braintank.nets.cnn import DigitCNN, FastCNN, LiteCNN, SmallCNN
from braintank.nets.ensemble import Ensemble
from braintank.nets.mlp import MLP
from braintank.nets.rnn import RowRNN
from braintank.nets.spec import MAX_DEPTH, check_arguments, split_spec

ARCHITECTURES: dict[str, type[nn.Module]] = {
    "mlp": MLP,
    "small_cnn": SmallCNN,
    "digit_cnn": DigitCNN,
    "fast_cnn": FastCNN,
    "lite_cnn": LiteCNN,
    "row_rnn": RowRNN,
}
ENSEMBLE = "ensemble"  # {"type": "ensemble", "members": [spec, ...]}, built member by member


def build_model(spec: dict) -> nn.Module:
    """A fresh, randomly initialised network for `spec`, checked before it is built.

    Build it under `with torch.device("meta"):` to get shapes without allocating memory.
    """
    kind, arguments = split_spec(spec, [*ARCHITECTURES, ENSEMBLE])
    if kind == ENSEMBLE:
        return Ensemble([build_model(member) for member in _member_specs(arguments)])
    check_arguments(kind, ARCHITECTURES[kind], arguments)
    try:
        return ARCHITECTURES[kind](**arguments)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise BraintankError(f"bad arguments for architecture {kind!r}: {exc}") from None


def _member_specs(arguments: dict) -> list[dict]:
    members = arguments.get("members")
    if set(arguments) != {"members"} or not isinstance(members, list) \
            or not 1 <= len(members) <= MAX_DEPTH:
        raise BraintankError(f"an ensemble spec needs only 'members': a list of 1 to "
                             f"{MAX_DEPTH} architecture specs")
    if any(isinstance(m, dict) and m.get("type") == ENSEMBLE for m in members):
        raise BraintankError("ensemble members must be single networks, not ensembles")
    return members


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
