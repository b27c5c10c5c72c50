"""Marks that are not one digit: what lands in a score box besides a score.

Judges write "10", strike a box out with a cross or a scribble, hatch it, put a dash in it,
or write a letter; people trying the draw page draw anything. A network trained on digits
alone reads each of these as some digit, often confidently. These marks are drawn here in
named kinds (`KINDS`) and framed the MNIST way, to teach a network to spread its belief over
all ten digits when it sees one (outlier exposure; Hendrycks, Mazeika & Dietterich 2019)
and to test that no path reads them as a digit.

Kinds that would look like a digit are left out on purpose: letters such as O, I, S, Z, B,
G, q, b or l; a single slash through a 0 (a slashed zero); a short bar across a 7.

    images, kinds = draw_marks(1000, np.random.default_rng(0), digits=mnist_test_images)
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from braintank.data.mnist_frame import SIZE, frame_ink
from braintank.data.stroke_digits import (
    Rng,
    Stroke,
    arc,
    curve,
    draw_digits,
    handwrite,
    line,
    path,
    render,
)

NOT_A_DIGIT = -1  # the label a mark carries wherever digits carry 0-9

# Letters as pen strokes in the unit box (x 0..0.6 wide, y 0..1 down), capitals and the
# lower-case letters that cannot pass for a digit.
_LETTERS: dict[str, list[Stroke]] = {
    "A": [path(line((0.0, 1.0), (0.3, 0.0)), line((0.3, 0.0), (0.6, 1.0))),
          line((0.12, 0.6), (0.48, 0.6))],
    "E": [path(line((0.55, 0.0), (0.05, 0.0)), line((0.05, 0.0), (0.05, 1.0)),
               line((0.05, 1.0), (0.58, 1.0))), line((0.05, 0.5), (0.45, 0.5))],
    "F": [path(line((0.58, 0.0), (0.05, 0.0)), line((0.05, 0.0), (0.05, 1.0))),
          line((0.05, 0.48), (0.45, 0.48))],
    "H": [line((0.0, 0.0), (0.0, 1.0)), line((0.6, 0.0), (0.6, 1.0)),
          line((0.0, 0.5), (0.6, 0.5))],
    "K": [line((0.05, 0.0), (0.05, 1.0)),
          path(line((0.6, 0.0), (0.07, 0.55)), line((0.2, 0.42), (0.62, 1.0)))],
    "M": [path(line((0.0, 1.0), (0.02, 0.0)), line((0.02, 0.0), (0.3, 0.6)),
               line((0.3, 0.6), (0.58, 0.0)), line((0.58, 0.0), (0.6, 1.0)))],
    "N": [path(line((0.02, 1.0), (0.02, 0.0)), line((0.02, 0.0), (0.58, 1.0)),
               line((0.58, 1.0), (0.58, 0.0)))],
    "R": [path(line((0.05, 1.0), (0.05, 0.0)), arc(0.25, 0.25, 0.3, 0.25, -90, 90),
               line((0.05, 0.5), (0.25, 0.5)), line((0.25, 0.5), (0.6, 1.0)))],
    "W": [path(line((0.0, 0.0), (0.15, 1.0)), line((0.15, 1.0), (0.3, 0.35)),
               line((0.3, 0.35), (0.45, 1.0)), line((0.45, 1.0), (0.6, 0.0)))],
    "X": [line((0.0, 0.0), (0.6, 1.0)), line((0.6, 0.0), (0.0, 1.0))],
    "Y": [path(line((0.0, 0.0), (0.3, 0.5)), line((0.3, 0.5), (0.3, 1.0))),
          line((0.6, 0.0), (0.3, 0.5))],
    "h": [line((0.05, 0.0), (0.05, 1.0)),
          path(arc(0.3, 0.65, 0.25, 0.25, 180, 360), line((0.55, 0.65), (0.55, 1.0)))],
    "k": [line((0.05, 0.0), (0.05, 1.0)),
          path(line((0.5, 0.35), (0.07, 0.7)), line((0.2, 0.6), (0.55, 1.0)))],
    "m": [path(line((0.0, 1.0), (0.0, 0.4)), arc(0.15, 0.55, 0.15, 0.15, 180, 360),
               line((0.3, 0.55), (0.3, 1.0))),
          path(arc(0.45, 0.55, 0.15, 0.15, 180, 360), line((0.6, 0.55), (0.6, 1.0)))],
    "n": [path(line((0.0, 1.0), (0.0, 0.3)), arc(0.3, 0.55, 0.3, 0.25, 180, 360),
               line((0.6, 0.55), (0.6, 1.0)))],
    "w": [path(curve((0.0, 0.3), (0.05, 1.1), (0.3, 0.6)), curve((0.3, 0.6), (0.55, 1.1),
                                                                  (0.6, 0.3)))],
    "x": [line((0.0, 0.3), (0.6, 1.0)), line((0.6, 0.3), (0.0, 1.0))],
    "e": [path(line((0.03, 0.6), (0.57, 0.6)), arc(0.3, 0.6, 0.27, 0.35, 0, -300))],
}


def _letter(rng: Rng) -> list[Stroke]:
    names = tuple(_LETTERS)
    return _LETTERS[names[rng.integers(len(names))]]


def _scribble(rng: Rng) -> list[Stroke]:
    """A smooth path through many random points: it turns too often to be a digit."""
    points = rng.uniform(0.0, [0.9, 1.0], size=(int(rng.integers(7, 14)), 2))
    pieces = [curve(points[i], (points[i] + points[i + 1]) / 2 + rng.normal(0, 0.1, 2),
                    points[i + 1], n=10) for i in range(len(points) - 1)]
    return [path(*pieces)]


def _zigzag(rng: Rng) -> list[Stroke]:
    """Back and forth across the box, as a scribbled-out box or shading."""
    turns = int(rng.integers(5, 10))
    ys = np.linspace(0.0, 1.0, turns) + rng.normal(0, 0.03, turns)
    xs = np.where(np.arange(turns) % 2 == 0, 0.0, rng.uniform(0.6, 0.9)) + rng.normal(0, 0.04,
                                                                                  turns)
    if rng.random() < 0.5:
        xs, ys = ys * 0.9, xs / 0.9
    return [np.stack([xs, ys], axis=1)]


def _loops(rng: Rng) -> list[Stroke]:
    """A row of joined loops, like cursive e's or a spring."""
    count = int(rng.integers(3, 7))
    t = np.linspace(0.0, 2 * np.pi * count, 40 * count)
    radius = rng.uniform(0.2, 0.35)
    return [np.stack([t / (2 * np.pi * count) * 1.4 + radius * np.cos(t + np.pi / 2) * 0.5,
                      0.5 + radius * np.sin(t + np.pi / 2)], axis=1)]


def _dash(rng: Rng) -> list[Stroke]:
    y = rng.uniform(-0.05, 0.05)
    return [curve((0.0, 0.5), (0.5, 0.5 + y), (1.0, 0.5 - y))]


def _cross(rng: Rng) -> list[Stroke]:
    """A cross: x-shaped or upright."""
    if rng.random() < 0.5:
        return [line((0.0, 0.0), (0.8, 1.0)), line((0.8, 0.0), (0.0, 1.0))]
    return [line((0.4, 0.0), (0.4, 1.0)), line((0.0, 0.5), (0.8, 0.5))]


def _hatching(rng: Rng) -> list[Stroke]:
    """Parallel slanted lines, the way a box is shaded out."""
    count, slope = int(rng.integers(3, 7)), rng.uniform(0.4, 1.2)
    return [line((x, 1.0), (x + slope, 0.0)) for x in np.linspace(0.0, 1.0, count)]


def _tick(rng: Rng) -> list[Stroke]:
    return [path(line((0.0, 0.55), (0.25, 1.0)), line((0.25, 1.0), (0.8, 0.0)))]


STROKE_KINDS: dict[str, Callable[[Rng], list[Stroke]]] = {
    "letter": _letter, "scribble": _scribble, "zigzag": _zigzag, "loops": _loops,
    "dash": _dash, "cross": _cross, "hatching": _hatching, "tick": _tick,
}


# ---- marks made of digits: two side by side, and struck-out digits --------------------------
def _on_canvas(digit28: np.ndarray, height: int, rng: Rng) -> np.ndarray:
    """A 28x28 digit's ink cropped to its box and scaled to `height` pixels tall."""
    ys, xs = np.nonzero(digit28 > 0.1)
    if not len(ys):
        return np.zeros((height, max(2, height // 2)), np.float32)
    crop = digit28[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    width = max(2, round(crop.shape[1] * height / crop.shape[0] * rng.uniform(0.8, 1.2)))
    return np.clip(cv2.resize(crop, (width, height), interpolation=cv2.INTER_LINEAR), 0, 1)


def two_digits(first: np.ndarray, second: np.ndarray, rng: Rng) -> np.ndarray:
    """Two digits side by side, as "10" in one box: [H, W] ink."""
    a = _on_canvas(first, 48, rng)
    b = _on_canvas(second, round(48 * rng.uniform(0.8, 1.2)), rng)
    step = a.shape[1] + max(round(rng.uniform(-0.1, 0.5) * min(a.shape[1], b.shape[1])),
                            -a.shape[1] // 3)
    height = max(a.shape[0], b.shape[0])
    canvas = np.zeros((height + 16, step + b.shape[1] + 16), np.float32)
    top_a = 8 + int(rng.integers(0, height - a.shape[0] + 1))
    top_b = 8 + int(rng.integers(0, height - b.shape[0] + 1))
    canvas[top_a:top_a + a.shape[0], 8:8 + a.shape[1]] = a
    region = canvas[top_b:top_b + b.shape[0], 8 + step:8 + step + b.shape[1]]
    np.maximum(region, b, out=region)
    return canvas


def struck_out(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """A digit crossed out: an X, two or more lines, or a zigzag over it, reaching past it."""
    base = _on_canvas(digit, 48, rng)
    h, w = base.shape
    canvas = np.zeros((h + 32, w + 32), np.float32)
    canvas[16:16 + h, 16:16 + w] = base
    kind = ("x", "lines", "zigzag")[rng.integers(3)]
    strokes = {"x": [line((0.0, 0.0), (1.0, 1.0)), line((1.0, 0.0), (0.0, 1.0))],
               "lines": [line((0.0, y), (1.0, y + rng.uniform(-0.1, 0.1)))
                         for y in np.linspace(0.3, 0.7, int(rng.integers(2, 4)))],
               "zigzag": _zigzag(rng)}[kind]
    pen = max(2, round(rng.uniform(0.06, 0.14) * h))
    size = np.array([w + 24, h + 24], float)
    for s in strokes:
        pixels = np.round((s * size + 4) * 8).astype(np.int32).reshape(-1, 1, 2)
        over = np.zeros(canvas.shape, np.uint8)
        cv2.polylines(over, [pixels], False, 255, pen, cv2.LINE_AA, shift=3)
        np.maximum(canvas, over.astype(np.float32) / 255.0, out=canvas)
    return canvas


KINDS = (*STROKE_KINDS, "two-digits", "struck-out")


def draw_mark(kind: str, rng: Rng, digits: np.ndarray | None = None) -> np.ndarray:
    """One [28, 28] float32 mark of `kind`; digit-based kinds take their digits from
    `digits` ([N, 28, 28] in [0, 1]) or draw them stroke by stroke when it is None."""
    if kind in STROKE_KINDS:
        strokes = handwrite(STROKE_KINDS[kind](rng), rng)
        ink = render(strokes, pen=float(rng.uniform(0.05, 0.16)))
    else:
        def digit() -> np.ndarray:
            if digits is not None:
                return digits[rng.integers(len(digits))]
            return draw_digits(1, rng)[0][0]
        ink = two_digits(digit(), digit(), rng) if kind == "two-digits" \
            else struck_out(digit(), rng)
    image = frame_ink(ink)
    return image if image is not None else np.zeros((SIZE, SIZE), np.float32)


def draw_marks(n: int, rng: Rng, digits: np.ndarray | None = None,
               kinds: tuple[str, ...] = KINDS) -> tuple[np.ndarray, list[str]]:
    """n marks of random kinds: (images [n, 28, 28] float32, the kind of each)."""
    chosen = [kinds[i] for i in rng.integers(len(kinds), size=n)]
    return np.stack([draw_mark(k, rng, digits) for k in chosen]) if n else \
        np.zeros((0, SIZE, SIZE), np.float32), chosen
