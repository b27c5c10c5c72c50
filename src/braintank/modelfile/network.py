"""Building a stored network safely: everything is checked on the meta device first.

A network built under `torch.device("meta")` has every shape and no memory, so the size cap,
the digit-reader contract ([N,1,28,28] in, 10 logits out) and the match between weights and
architecture are all checked before a single real tensor exists; the checked weights then
become the network's own tensors (`load_state_dict(assign=True)`), so nothing is copied
(except weights stored channels-last, made contiguous like a freshly built network's).
"""

from __future__ import annotations

import torch
from torch import nn

from braintank.errors import BraintankError, short_repr
from braintank.modelfile.contract import check_input_features, check_reads_digits
from braintank.nets import build_model

MAX_PARAMETERS = 100_000_000  # 400 MB of float32: 100x braintank's default model
_SHOWN = 3  # names listed when weights are missing or unexpected


def build_network(arch: object, weights: object, source: str) -> nn.Module:
    """The network `arch` describes, holding `weights`; BraintankError if anything is off."""
    skeleton = check_network(arch, weights, source)
    # contiguous: a file saved from a channels-last model keeps that layout otherwise, and
    # the network would not be the plain as-trained one callers expect (a no-op copy-wise
    # for tensors already contiguous)
    skeleton.load_state_dict({name: tensor.contiguous() for name, tensor in weights.items()},
                             strict=True, assign=True)
    return skeleton.eval()


def check_network(arch: object, weights: object, source: str) -> nn.Module:
    """The network built on the meta device, after every check that needs no memory."""
    try:
        with torch.device("meta"):
            skeleton = build_model(arch)
    except BraintankError as exc:
        raise BraintankError(f"{source}: {exc}") from None
    count = sum(p.numel() for p in skeleton.parameters())
    if count > MAX_PARAMETERS:
        raise BraintankError(f"{source}: the network has {count:,} parameters, more than the "
                             f"{MAX_PARAMETERS:,} braintank loads")
    for features in _declared_inputs(arch):
        check_input_features(features, source)
    check_reads_digits(skeleton, source)
    check_weights(skeleton.state_dict(), weights, source, arch["type"])
    return skeleton


def check_weights(expected: dict[str, torch.Tensor], weights: object, source: str,
                  kind: str) -> None:
    """`weights` has exactly the expected names, shapes and dtypes, and finite values."""
    problem = f"{source}: weights do not match architecture {kind!r}"
    if not isinstance(weights, dict) or not all(isinstance(k, str) for k in weights):
        raise BraintankError(f"{problem} (the weights are not a dict of named tensors)")
    missing = [name for name in expected if name not in weights]
    unexpected = [name for name in weights if name not in expected]
    if missing or unexpected:
        parts = ([f"missing {', '.join(missing[:_SHOWN])}"] if missing else []) + \
                ([f"unexpected {', '.join(short_repr(n, 40) for n in unexpected[:_SHOWN])}"]
                 if unexpected else [])  # names from the file: quoted, one line
        raise BraintankError(f"{problem} ({'; '.join(parts)})"[:400])
    for name, want in expected.items():
        have = weights[name]
        if not isinstance(have, torch.Tensor) or have.layout != torch.strided \
                or have.is_quantized or have.dtype != want.dtype or have.shape != want.shape:
            got = (f"{tuple(have.shape)} {have.dtype}" if isinstance(have, torch.Tensor)
                   else type(have).__name__)
            raise BraintankError(f"{problem} ({name} is {got}, needs {tuple(want.shape)} "
                                 f"{want.dtype})")
        if have.is_floating_point() and not bool(torch.isfinite(have).all()):
            raise BraintankError(f"{source}: weight {name} contains NaN or infinity")


def _declared_inputs(arch: dict) -> list[int]:
    """Input sizes a spec states outright (an MLP's in_features), members included."""
    if arch.get("type") == "ensemble":
        return [size for member in arch["members"] for size in _declared_inputs(member)]
    return [arch["in_features"]] if "in_features" in arch else []
