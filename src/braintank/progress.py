"""Progress bars that stay quiet when nobody watches: the one helper every bar goes through.

On a terminal `progress_bar` is a tqdm bar. When stderr is not a terminal (a log file, CI,
a pipe) a redrawn bar would write a line per update of every bar, so it is replaced by a
`LineBar`, which counts silently and writes one summary line to stderr when it closes (or
none at all with `summary=False`, for bars such as a training epoch's whose line the caller
prints anyway). Either way the caller uses the same few methods: iteration, `update`,
`set_postfix`, `set_description`, `close`, and `with`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

from tqdm import tqdm


def stderr_is_terminal() -> bool:
    """True when stderr is an interactive terminal (a closed or missing stream is not)."""
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def progress_bar(iterable: Iterable | None = None, *, summary: bool = True, **kwargs: Any):
    """A tqdm bar on a terminal, else a `LineBar` (one line at the end, or none).

    `kwargs` are tqdm's (desc, total, unit, unit_scale, initial, leave, disable).
    """
    if kwargs.get("disable") or stderr_is_terminal():
        return tqdm(iterable, **kwargs)
    return LineBar(iterable, summary=summary, desc=kwargs.get("desc"),
                   total=kwargs.get("total"), unit=kwargs.get("unit", "it"),
                   unit_scale=kwargs.get("unit_scale", False), initial=kwargs.get("initial", 0))


class LineBar:
    """Counts like a tqdm bar without drawing; `close` writes one line to stderr if asked."""

    def __init__(self, iterable: Iterable | None = None, *, summary: bool = True,
                 desc: str | None = None, total: float | None = None, unit: str = "it",
                 unit_scale: bool = False, initial: float = 0) -> None:
        self.iterable = iterable
        if total is None and iterable is not None:
            try:
                total = len(iterable)  # type: ignore[arg-type]
            except TypeError:
                total = None
        self.summary, self.desc, self.total, self.unit = summary, desc, total, unit
        self.unit_scale = unit_scale
        self.n = self.initial = initial
        self.postfix = ""
        self.started = time.perf_counter()
        self.closed = False

    def __iter__(self) -> Iterator:
        try:
            for item in self.iterable or ():
                yield item
                self.n += 1
        finally:
            self.close()

    def __len__(self) -> int:
        return int(self.total or 0)

    def __enter__(self) -> LineBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: float = 1) -> None:
        self.n += n

    def set_postfix(self, ordered_dict: dict | None = None, refresh: bool = True,
                    **kwargs: Any) -> None:
        values = dict(ordered_dict or {}, **kwargs)
        self.postfix = ", ".join(f"{key}={value}" for key, value in values.items())

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None:
        self.desc = desc

    def refresh(self) -> None:
        pass

    def line(self) -> str:
        """The summary: `desc: done/total unit in seconds [postfix]`."""
        def amount(value: float) -> str:
            return tqdm.format_sizeof(value) if self.unit_scale else f"{value:g}"

        done = amount(self.n) + ("" if self.total is None else f"/{amount(self.total)}")
        seconds = time.perf_counter() - self.started
        unit = self.unit if self.unit_scale else f" {self.unit}"  # 3.00MB, 500 epoch
        text = f"{self.desc + ': ' if self.desc else ''}{done}{unit} in {seconds:.1f}s"
        return text + (f" [{self.postfix}]" if self.postfix else "")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.summary and sys.stderr is not None:
            print(self.line(), file=sys.stderr, flush=True)
