"""What every braintank network must do: read [N,1,28,28] images, output 10 logits."""

from __future__ import annotations

import torch
from torch import nn

from braintank.errors import BraintankError

NUM_CLASSES = 10
IMAGE_SIDE = 28
IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE


def check_input_features(features: int, source: str) -> None:
    if features != IMAGE_PIXELS:
        raise BraintankError(f"{source}: the network takes {features} inputs, but braintank "
                             f"reads {IMAGE_SIDE}x{IMAGE_SIDE} images ({IMAGE_PIXELS} pixels)")


def check_classes(classes: int, source: str) -> None:
    if classes != NUM_CLASSES:
        raise BraintankError(f"{source}: the network outputs {classes} classes; braintank "
                             f"reads the digits 0-9 and needs exactly {NUM_CLASSES}")


def check_reads_digits(network: nn.Module, source: str) -> None:
    """Run two blank images through `network` (on its own device: free on "meta")."""
    device = next(iter(network.parameters()), torch.empty(0)).device
    x = torch.zeros(2, 1, IMAGE_SIDE, IMAGE_SIDE, device=device)
    try:
        with torch.no_grad():
            out = network.eval()(x)
    except (RuntimeError, ValueError, TypeError, IndexError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise BraintankError(f"{source}: the network cannot read {IMAGE_SIDE}x{IMAGE_SIDE} "
                             f"images ({reason})") from None
    if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[0] != 2:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise BraintankError(f"{source}: the network outputs {shape} for 2 images, not one "
                             f"row of {NUM_CLASSES} logits per image")
    check_classes(out.shape[1], source)
