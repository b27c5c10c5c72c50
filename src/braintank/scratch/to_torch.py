"""Convert a trained scratch model into the equivalent torch.nn.Sequential.

The only module of braintank.scratch that touches PyTorch, and only inside the function,
so the engine itself runs without it. Dense weights already use PyTorch's (out, in) layout.
"""

from __future__ import annotations

from braintank.errors import BraintankError
from braintank.scratch.model import Sequential


def to_torch(model: Sequential):
    """A torch.nn.Sequential computing the same function (in evaluation mode)."""
    import torch
    from torch import nn

    class Heaviside(nn.Module):
        """Binary threshold: 1 where x > 0 else `low`."""

        def __init__(self, low: float) -> None:
            super().__init__()
            self.low = low

        def forward(self, x):
            return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, self.low))

    simple = {"identity": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
              "relu": nn.ReLU}
    modules = []
    dtype = torch.float64 if model.dtype.name == "float64" else torch.float32
    for layer, spec in zip(model.layers, model.spec(), strict=True):
        kind = spec["type"]
        if kind == "dense":
            linear = nn.Linear(spec["in_features"], spec["out_features"], dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.W.copy()))
                linear.bias.copy_(torch.from_numpy(layer.b.copy()))
            modules.append(linear)
        elif kind == "dropout":
            modules.append(nn.Dropout(spec["p"]))
        elif kind == "softmax":
            modules.append(nn.Softmax(dim=1))
        elif kind == "threshold":
            modules.append(Heaviside(spec["low"]))
        elif kind in simple:
            modules.append(simple[kind]())
        else:
            raise BraintankError(f"cannot convert layer type {kind!r} to PyTorch")
    return nn.Sequential(*modules).eval()
