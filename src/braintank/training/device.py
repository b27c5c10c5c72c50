"""Choosing where tensors live: `--device auto` picks CUDA, then Apple's MPS, then the CPU."""

from __future__ import annotations

import torch

from braintank.errors import BraintankError


def resolve_device(name: str = "auto") -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise BraintankError(f"unknown device {name!r} (use auto, cpu, cuda, cuda:N or mps)") \
            from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise BraintankError("--device cuda requested but no CUDA GPU is available")
    return device
