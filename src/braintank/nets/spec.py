"""Checking an architecture spec before anything is built from it.

A spec may come from a file someone else wrote, so every argument is checked against the
type hint of the constructor it is meant for: no strings where sizes go, no booleans posing
as integers, no NaN dropout. Sizes are only bounded loosely here (a size cap needs the whole
network: `braintank.modelfile` counts parameters on the meta device); depth is bounded here
because building a network with millions of layers is slow even without memory.
"""

from __future__ import annotations

import inspect
import math
import typing

from braintank.errors import BraintankError, short_repr  # noqa: F401 - short_repr: re-exported

MAX_SIZE = 1 << 24  # the widest layer, in units or pixels, a spec may ask for
MAX_DEPTH = 64  # the most layers (list items, recurrent layers, ensemble members)
DEPTH_ARGUMENTS = frozenset({"layers"})
PROBABILITY_ARGUMENTS = frozenset({"dropout"})


def split_spec(spec: object, known: typing.Iterable[str]) -> tuple[str, dict]:
    """(type, arguments) of a spec dict; BraintankError when it is not one."""
    if not isinstance(spec, dict):
        raise BraintankError(f"architecture must be a dict with a 'type', got {short_repr(spec)}")
    kind = spec.get("type")
    if not isinstance(kind, str):
        raise BraintankError(f"architecture has no 'type' string (got {short_repr(kind)})")
    if kind not in known:
        raise BraintankError(f"unknown architecture type {short_repr(kind)} "
                             f"(known: {', '.join(known)})")
    if not all(isinstance(name, str) for name in spec):
        raise BraintankError(f"architecture {kind!r}: argument names must be strings")
    return kind, {name: value for name, value in spec.items() if name != "type"}


def check_arguments(kind: str, constructor: type, arguments: dict) -> None:
    """Each argument must be one the constructor takes, of the type its hint names."""
    hints = typing.get_type_hints(constructor.__init__)
    accepted = [name for name in inspect.signature(constructor).parameters if name in hints]
    for name, value in arguments.items():
        if name not in accepted:
            raise BraintankError(f"architecture {kind!r} has no argument {short_repr(name)} "
                                 f"(known: {', '.join(accepted)})")
        problem = _argument_problem(name, hints[name], value)
        if problem:
            raise BraintankError(f"architecture {kind!r}: {name} must be {problem}, got "
                                 f"{short_repr(value)}")


def _argument_problem(name: str, hint: object, value: object) -> str | None:
    """What `value` should have been, or None when it fits."""
    if typing.get_origin(hint) is list:
        if not isinstance(value, list | tuple) or len(value) > MAX_DEPTH:
            return f"a list of at most {MAX_DEPTH} sizes"
        bad = [item for item in value if _size_problem(name, item)]
        return f"a list of whole numbers from 1 to {MAX_SIZE}" if bad else None
    if hint is int:
        return _size_problem(name, value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            return "a finite number"
        if name in PROBABILITY_ARGUMENTS and not 0 <= value < 1:
            return "a probability in [0, 1)"
        return None
    if hint is str:
        return None if isinstance(value, str) else "a string"
    return None


def _size_problem(name: str, value: object) -> str | None:
    limit = MAX_DEPTH if name in DEPTH_ARGUMENTS else MAX_SIZE
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        return f"a whole number from 1 to {limit}"
    return None
