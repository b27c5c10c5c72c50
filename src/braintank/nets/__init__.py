"""The PyTorch networks of the course, rebuilt from a plain-dict architecture spec.

A checkpoint stores the spec (JSON-safe) beside the weights, so a model is rebuilt without
unpickling any object: `build_model(spec)`.
"""

from braintank.nets.factory import build_model, count_parameters

__all__ = ["build_model", "count_parameters"]
