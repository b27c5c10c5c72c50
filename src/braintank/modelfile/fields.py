"""The metadata fields of a model file, checked for type and range before they are used."""

from __future__ import annotations

import math

from braintank.data.mnist_stats import MNIST_MEAN, MNIST_STD
from braintank.data.views import check_views
from braintank.errors import BraintankError
from braintank.nets.spec import short_repr

KINDS = ("model", "checkpoint")
# What NumPy-engine models without a record were trained on.
MNIST_NORMALIZE = (MNIST_MEAN, MNIST_STD)


def is_real(value: object) -> bool:
    """A finite int or float (booleans are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def check_normalize(value: object, source: str) -> tuple[float, float]:
    """(mean, std): two finite numbers, std > 0."""
    if not isinstance(value, list | tuple) or len(value) != 2 \
            or not all(is_real(v) for v in value) or not value[1] > 0:
        raise BraintankError(f"{source}: normalize must be two finite numbers (mean, std) with "
                             f"std > 0, got {short_repr(value)}")
    return float(value[0]), float(value[1])


def check_calibration(value: object, source: str) -> dict:
    """{} for none; else a dict whose temperature is finite > 0 and threshold in [0, 1]."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BraintankError(f"{source}: calibration must be a dict or absent, got "
                             f"{short_repr(value)}")
    temperature = value.get("temperature", 1.0)
    if not is_real(temperature) or not temperature > 0:
        raise BraintankError(f"{source}: calibration temperature must be a finite number > 0, "
                             f"got {short_repr(temperature)}")
    threshold = value.get("threshold", 0.0)
    if not is_real(threshold) or not 0 <= threshold <= 1:
        raise BraintankError(f"{source}: calibration threshold must be a number in [0, 1], "
                             f"got {short_repr(threshold)}")
    try:
        check_views(value.get("views", 1))
    except ValueError as exc:
        raise BraintankError(f"{source}: calibration {exc}") from None
    return dict(value)


def check_config(value: object, source: str) -> dict:
    """The training settings recorded with the model: a dict with string keys, or absent."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise BraintankError(f"{source}: config must be a dict of settings, got "
                             f"{short_repr(value)}")
    return value


def check_kind(value: object, source: str) -> str | None:
    if value is not None and not (isinstance(value, str) and value in KINDS):
        raise BraintankError(f"{source}: kind must be one of {', '.join(KINDS)}, got "
                             f"{short_repr(value)}")
    return value
