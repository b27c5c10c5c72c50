"""Eval-time speed-ups that leave a trained network's function unchanged.

- Batch norm folded into the convolution or linear layer before it: at eval time BN is a
  fixed per-channel affine map, so it can live in that layer's weights and bias.
- Channels-last memory for networks with convolutions: oneDNN's fast path on CPU.
Measured on the shipped model in `benchmarks/inference_speed.py`.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval

_FOLDABLE = ((nn.Conv2d, nn.BatchNorm2d, fuse_conv_bn_eval),
             (nn.Linear, nn.BatchNorm1d, fuse_linear_bn_eval))


def fold_batch_norm(model: nn.Module) -> nn.Module:
    """Fold every BN that directly follows a conv/linear layer in an nn.Sequential (in place)."""
    for module in model.modules():
        if not isinstance(module, nn.Sequential):
            continue
        for i in range(len(module) - 1):
            layer, norm = module[i], module[i + 1]
            for layer_type, norm_type, fuse in _FOLDABLE:
                if isinstance(layer, layer_type) and isinstance(norm, norm_type) \
                        and norm.track_running_stats:
                    module[i] = fuse(layer, norm)
                    module[i + 1] = nn.Identity()
    return model


def has_convolutions(model: nn.Module) -> bool:
    return any(isinstance(m, nn.Conv2d) for m in model.modules())


def input_memory_format(model: nn.Module) -> torch.memory_format:
    """channels_last when `for_inference` converted the model's convolutions, else contiguous.

    A 1-input-channel kernel reads as both formats, so only multi-channel kernels decide.
    """
    for m in model.modules():
        if isinstance(m, nn.Conv2d) and not m.weight.is_contiguous() \
                and m.weight.is_contiguous(memory_format=torch.channels_last):
            return torch.channels_last
    return torch.contiguous_format


def for_inference(model: nn.Module) -> nn.Module:
    """The model in eval mode, BN folded, channels-last when it convolves."""
    model = fold_batch_norm(model.eval())
    if has_convolutions(model):
        model = model.to(memory_format=torch.channels_last)
    return model
