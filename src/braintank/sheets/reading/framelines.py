"""Separate handwriting from the printed box lines in a cell's crop.

A cell is cut with a margin around its box, so the crop holds its own frame and the facing
lines of the boxes next to it. All of them are removed: a digit written across its box line
and into the gap would otherwise carry a piece of the neighbour's line along as a stroke (a 7
from a 1 or a 4). Each line is found where it really is (rectification leaves a few pixels of
error), and only along the stretches where the template prints it, so a stroke in the gap
between two boxes is never touched.

Where a line is printed, ink and line multiply (a pen over grey toner is darker than either),
so dividing the line's own darkness out leaves the stroke: a stroke running along the line or
crossing it keeps its shape instead of being erased with it. Only what stands clearly above
the line is kept that way (weaker residue would join the stroke as a false spur); a faint
stroke crossing the line is bridged from its two sides instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from braintank.sheets.printing.layout import LINE_WIDTH

SEARCH_PX = 8
# A line darker than this leaves too little light to see a stroke through it: such pixels are
# only ever bridged.
OPAQUE_LINE = 0.8


@dataclass(frozen=True)
class PrintedLine:
    """One straight printed line in a crop: `vertical` or not, its expected first pixel
    across (`at`), and the [start, stop) stretches along it where it is printed."""

    vertical: bool
    at: int
    spans: tuple[tuple[int, int], ...]


def printed_lines(boxes: np.ndarray, crop: tuple[int, int, int, int]) -> list[PrintedLine]:
    """The box lines of the template inside `crop` (x0, y0, x1, y1 in page pixels), in the
    crop's pixels. `boxes` [n, 4] are every box of the template (page pixels)."""
    cx0, cy0, cx1, cy1 = crop
    near = boxes[(boxes[:, 0] < cx1) & (boxes[:, 2] > cx0)
                 & (boxes[:, 1] < cy1) & (boxes[:, 3] > cy0)]
    found: dict[tuple[bool, int], list[tuple[int, int]]] = {}
    for x0, y0, x1, y1 in near.tolist():
        for vertical, at, start, stop in ((True, x0 - cx0, y0 - cy0, y1 - cy0),
                                          (True, x1 - LINE_WIDTH - cx0, y0 - cy0, y1 - cy0),
                                          (False, y0 - cy0, x0 - cx0, x1 - cx0),
                                          (False, y1 - LINE_WIDTH - cy0, x0 - cx0, x1 - cx0)):
            size = (cx1 - cx0) if not vertical else (cy1 - cy0)
            across = (cx1 - cx0) if vertical else (cy1 - cy0)
            if -LINE_WIDTH < at < across and stop > 0 and start < size:
                found.setdefault((vertical, at), []).append((max(start, 0), min(stop, size)))
    return [PrintedLine(vertical, at, tuple(_merge(spans)))
            for (vertical, at), spans in sorted(found.items())]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for start, stop in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], stop)
        else:
            out.append([start, stop])
    return [(a, b) for a, b in out]


def remove_lines(ink: np.ndarray, lines: list[PrintedLine], strong: float) -> None:
    """Take the printed `lines` out of `ink` (float, ink high, the crop) in place.

    Vertical lines go first; a horizontal line's stretches reach over the vertical lines'
    bands at the box corners, so what bridging left there is taken out with it.
    """
    for line in sorted(lines, key=lambda ln: not ln.vertical):
        view = ink if line.vertical else ink.T  # a view: the line's pixels become columns
        _remove(view, line, strong)


def _remove(ink: np.ndarray, line: PrintedLine, strong: float) -> None:
    """Remove one line that runs down the columns [a, b) of `ink`, where it is printed."""
    height, width = ink.shape
    # The darkness across the line, from the middle of its stretches (the ends meet the
    # perpendicular lines). A low percentile ignores strokes crossing the line or running
    # beside it for a good part of its length; the printed line is there all along. Every
    # third pixel along the line is plenty.
    trim = LINE_WIDTH + SEARCH_PX
    along = np.concatenate([np.arange(s + trim, t - trim, 3) for s, t in line.spans]
                           or [np.zeros(0, int)])
    if along.size < 4:
        along = np.concatenate([np.arange(s, t, 3) for s, t in line.spans])
    lo = max(line.at - SEARCH_PX, 0)
    hi = min(line.at + LINE_WIDTH + SEARCH_PX, width)
    if hi - lo < LINE_WIDTH or along.size == 0:
        return
    profile = np.percentile(ink[along, lo:hi], 25, axis=0)
    window = np.convolve(profile, np.ones(LINE_WIDTH), mode="valid")
    start = lo + int(np.argmax(window)) if len(window) else line.at
    a, b = max(start - 2, 0), min(start + LINE_WIDTH + 2, width)
    # The line's darkness at each offset, taken at its darkest within a pixel either way, so
    # a line a little off its estimate (or JPEG's ripples on it) leaves nothing behind.
    level = np.pad(profile, 1, mode="edge")
    level = np.maximum(np.maximum(level[:-2], level[1:-1]), level[2:])
    level = level[np.clip(np.arange(a, b) - lo, 0, len(level) - 1)]
    rows = np.zeros(height, bool)
    for s, t in line.spans:  # reach over the perpendicular lines' bands at the corners
        rows[max(s - trim, 0):t + trim] = True
    band = ink[rows, a:b]
    seen = 1.0 - (1.0 - band) / np.maximum(1.0 - level, 1e-3)[None, :]
    kept = np.where((seen > strong) & (level < OPAQUE_LINE)[None, :], seen, 0.0)
    # A stroke crossing the line that the division could not show (a faint pen, a dark
    # line): bridged where the ink on both sides of the band is strong.
    left = ink[rows, max(a - 2, 0)]
    right = ink[rows, min(b + 1, width - 1)]
    crossing = (left > strong) & (right > strong)
    steps = np.linspace(0.0, 1.0, b - a + 2, dtype=np.float32)[1:-1]
    fill = left[:, None] * (1 - steps) + right[:, None] * steps
    ink[rows, a:b] = np.maximum(kept, np.where(crossing[:, None], fill, 0.0))
