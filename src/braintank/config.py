"""One base for every settings dataclass (training, NumPy engine, RL): checked, JSON in and out.

A config is a `@dataclass` that inherits `ConfigBase`. Each field's type annotation says what
it holds: `int` is a whole number and never a bool, `float` takes an int too and must be
finite, `str`, `bool`, `dict`, `tuple[...]` and `list[...]` of numbers (a list and a tuple are
both taken, and stored as the annotation says), `X | None`. `setting(...)` declares the rest
once, beside the field: bounds (on the number, or on each item of a sequence), allowed names,
a length, a label for messages, a custom check, old values that map to new ones.

A number without a lower bound must be >= 0 (every setting here is a size, count, rate,
share or seed), and a whole number stops at WHOLE_LIMIT unless it says otherwise.

    @dataclass
    class Example(ConfigBase):
        settings_name = "example"          # "unknown example settings: ..."
        lr: float = setting(1e-3, label="learning rate", above=0)
        hidden: tuple[int, ...] = setting((64,), at_least=1, length=(1, 8))

`validate()`, `replace(**changes)` (validated), `to_dict()` (JSON-ready) and
`from_dict(data, source)` (unknown keys refused, missing keys take their defaults,
validated) come with it; every refusal is one line naming the setting and the bad value
(and the file, given a source).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass
from typing import Any, Self

from braintank.errors import BraintankError, short_repr

# The largest whole-number setting: seeds feed NumPy (which refuses negatives) and torch
# (64-bit), with small offsets added.
WHOLE_LIMIT = 2**62


@dataclass(frozen=True)
class Rule:
    """What a field may hold beyond its type; see `setting`."""

    label: str | None = None            # its name in messages (default: the field's name)
    at_least: float | None = None       # bounds; with neither at_least nor above: >= 0
    above: float | None = None
    at_most: float | None = None
    below: float | None = None
    choices: tuple[str, ...] | None = None  # the names a string may be
    length: tuple[int, int] | None = None   # (fewest, most) items of a list or tuple
    what: str | None = None             # what it must be, said in words, instead of the rules
    check: Callable[[Any], object] | None = None  # raises BraintankError or ValueError
    renamed: Mapping[str, str] | None = None      # old value -> new (older saved configs)


def setting(default: Any = MISSING, *, factory: Callable[[], Any] | Any = MISSING,
            **rule: Any) -> Any:
    """A dataclass field with its `Rule`: `setting(0.5, at_most=1)`,
    `setting(factory=lambda: [64], length=(1, 8), at_least=1)`."""
    return dataclasses.field(default=default, default_factory=factory,
                             metadata={"rule": Rule(**rule)})


@dataclass(frozen=True)
class _Spec:
    """One field: its name, the type its annotation names, and its rule."""

    name: str
    kind: type              # bool, int, float, str, dict, list or tuple
    optional: bool          # None is allowed
    item: type | None       # of a list or tuple
    fixed: int | None       # tuple[float, float]: exactly 2 items
    rule: Rule

    @property
    def label(self) -> str:
        return self.rule.label or self.name


class ConfigBase:
    """Mixed into a `@dataclass`: validate, replace, to_dict and from_dict for its fields."""

    settings_name = "config"  # in "unknown <settings_name> settings: ..."

    def __post_init__(self) -> None:
        # Old names become new ones and lists become tuples (or back) as the annotation says,
        # however the config was made; nothing is refused here (validate does that).
        for spec in _specs(type(self)):
            value = getattr(self, spec.name)
            renamed = spec.rule.renamed
            if renamed and isinstance(value, str) and value in renamed:
                object.__setattr__(self, spec.name, renamed[value])
            elif spec.kind in (list, tuple) and isinstance(value, list | tuple) \
                    and type(value) is not spec.kind:
                object.__setattr__(self, spec.name, spec.kind(value))

    def validate(self, source: str | None = None) -> Self:
        """Raise a one-line BraintankError naming the first bad setting (and `source`, the
        file it came from, when given); returns self."""
        try:
            for spec in _specs(type(self)):
                _check(spec, getattr(self, spec.name))
            self._check_together()
        except BraintankError as exc:
            if source:
                raise BraintankError(f"{source}: {exc}") from None
            raise
        return self

    def _check_together(self) -> None:
        """Rules across fields, run after each field passed its own; override to add some."""

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes`, validated."""
        _refuse_unknown(type(self), changes, None)
        return dataclasses.replace(self, **changes).validate()

    def to_dict(self) -> dict:
        """Every field, JSON-ready (tuples become lists)."""
        return _json_ready(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: object, source: str | None = None) -> Self:
        """The config recorded in `data` (a saved run's, an agent's), validated: unknown keys
        are refused, missing ones take their defaults (older files have fewer settings), old
        values are renamed. `source`, the file it was read from, begins every message."""
        if not isinstance(data, dict):
            where = f"{source}: " if source else ""
            raise BraintankError(f"{where}{cls.settings_name} settings must be a dict, "
                                 f"got {short_repr(data)}")
        _refuse_unknown(cls, data, source)
        return cls(**data).validate(source)


def _refuse_unknown(cls: type, data: dict, source: str | None) -> None:
    known = {spec.name for spec in _specs(cls)}
    unknown = sorted({" ".join(str(key).split())[:40] for key in data if key not in known})
    if unknown:
        where = f"{source}: " if source else ""
        raise BraintankError(f"{where}unknown {cls.settings_name} settings: "
                             f"{', '.join(unknown)}")


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    return value


@functools.cache
def _specs(cls: type) -> tuple[_Spec, ...]:
    hints = typing.get_type_hints(cls)
    return tuple(_spec(f.name, hints[f.name], f.metadata.get("rule", Rule()))
                 for f in dataclasses.fields(cls))


def _spec(name: str, hint: Any, rule: Rule) -> _Spec:
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1 or len(args) == len(typing.get_args(hint)):
            raise TypeError(f"setting {name}: only 'X | None' unions are supported")
        optional, hint = True, args[0]
    kind = typing.get_origin(hint) or hint
    item, fixed = None, None
    if kind in (list, tuple):
        args = typing.get_args(hint)
        if not args or (kind is tuple and len(args) == 2 and args[1] is Ellipsis):
            item = args[0] if args else None
        elif kind is tuple:
            if len(set(args)) != 1:
                raise TypeError(f"setting {name}: tuple items must share one type")
            item, fixed = args[0], len(args)
        else:
            item = args[0]
    if kind not in (bool, int, float, str, dict, list, tuple) \
            or item not in (None, bool, int, float, str):
        raise TypeError(f"setting {name}: type {hint!r} is not supported")
    return _Spec(name, kind, optional, item, fixed, rule)


def _check(spec: _Spec, value: Any) -> None:
    rule = spec.rule
    if value is None and spec.optional:
        return
    if rule.choices is not None:
        if not isinstance(value, str) or value not in rule.choices:
            raise BraintankError(f"unknown {spec.label} {short_repr(value)} "
                                 f"(known: {', '.join(rule.choices)})")
    elif not _fits(spec, value):
        raise BraintankError(f"{spec.label} must be {_expected(spec)}, got {short_repr(value)}")
    if rule.check is not None:
        try:
            rule.check(value)
        except ValueError as exc:
            raise BraintankError(str(exc)) from None


def _fits(spec: _Spec, value: Any) -> bool:
    if spec.kind in (list, tuple):
        if not isinstance(value, list | tuple):
            return False
        fewest, most = (spec.fixed, spec.fixed) if spec.fixed else spec.rule.length or (0, None)
        if len(value) < fewest or (most is not None and len(value) > most):
            return False
        return spec.item is None or all(_fits_one(spec.item, v, spec.rule) for v in value)
    return _fits_one(spec.kind, value, spec.rule)


def _fits_one(kind: type, value: Any, rule: Rule) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if kind in (str, dict):
        return isinstance(value, kind)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if kind is int and not isinstance(value, int):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    low, low_open, high, high_open = _bounds(kind, rule)
    return (value > low if low_open else value >= low) and \
        (high is None or (value < high if high_open else value <= high))


def _bounds(kind: type, rule: Rule) -> tuple[float, bool, float | None, bool]:
    """(low, low is excluded, high or None, high is excluded)."""
    low, low_open = (rule.above, True) if rule.above is not None else (rule.at_least or 0, False)
    high, high_open = (rule.below, True) if rule.below is not None else (rule.at_most, False)
    if high is None and kind is int:
        high = WHOLE_LIMIT
    return low, low_open, high, high_open


def _expected(spec: _Spec) -> str:
    """What a field must be, in words: "> 0 and finite", "a whole number from 0 to 9"."""
    rule = spec.rule
    if rule.what:
        words = rule.what
    elif spec.kind in (list, tuple):
        if spec.fixed:
            count = f"{spec.fixed} "
        elif rule.length:
            fewest, most = rule.length
            count = f"{fewest} to {most} " if fewest != most else f"{fewest} "
        else:
            count = "a list of "
        words = count + _plural(spec.item)
        if spec.item in (int, float):
            words += ", each " + _number_words(spec.item, rule)
    elif spec.kind in (int, float):
        words = _number_words(spec.kind, rule)
        words = "a whole number " + words if spec.kind is int else words
    else:
        words = {bool: "true or false", str: "a string", dict: "a dict"}[spec.kind]
    return words + (", or none" if spec.optional else "")


def _plural(item: type | None) -> str:
    return {int: "whole numbers", float: "numbers", str: "strings", bool: "booleans",
            None: "items"}[item]


def _number_words(kind: type, rule: Rule) -> str:
    low, low_open, high, high_open = _bounds(kind, rule)
    implicit_high = kind is int and rule.at_most is None and rule.below is None
    if kind is int and not low_open and not high_open and not implicit_high:
        return f"from {_num(low)} to {_num(high)}"
    words = f"{'>' if low_open else '>='} {_num(low)}"
    if high is not None and not implicit_high:
        words += f" and {'<' if high_open else '<='} {_num(high)}"
    return words if kind is int else words + " and finite"


def _num(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"
