"""Digits drawn stroke by stroke in writing conventions MNIST's writers rarely used.

MNIST's 500 American writers learnt one school's way of forming digits. People taught
elsewhere draw a 4 with a low bar and a hooked, closed top, a 6 or 3 with a flat top, a 7
crossed, a 9 with a tail that curls like a g, a 1 with a long flag and no base, a 2 with a
loop. A network that never saw these reads them as their nearest MNIST look-alike, and is
sure of it. This module draws each digit from pen strokes in named conventions (`STYLES`),
with every proportion, slant, width, pen and wobble drawn at random, so a network can learn
the conventions rather than some writer's digits. Each stroke is a polyline in a unit box
(x right, y down, the digit about 0.6 wide and 1 tall), rendered anti-aliased and framed the
MNIST way (`preprocess.frame_ink`).

    images, labels = draw_digits(1000, np.random.default_rng(0))   # [N, 28, 28] float32
"""

from __future__ import annotations

from collections.abc import Callable
from math import comb

import cv2
import numpy as np

from braintank.data.mnist_frame import BBOX_FRACTION, SIZE, frame_ink, ink_bbox

Stroke = np.ndarray  # [K, 2] points (x, y) in the unit box
Rng = np.random.Generator
CANVAS = 64   # pixels a side the strokes are drawn at (4x supersampled)
SUPER = 4
# The share of drawn digits that go through a box-filling digitizer (`digitize`): MNIST's
# own digits meet one in the `boxfill` augmentation, drawn conventions meet it here.
DIGITIZED = 0.25


# ---- primitives: pieces of a pen path -----------------------------------------------------
def line(a, b, n: int = 10) -> Stroke:
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) * np.asarray(a, float) + t * np.asarray(b, float)


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float,
        n: int | None = None) -> Stroke:
    """Part of an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down)."""
    n = n or max(8, int(abs(end - start) / 8))
    a = np.radians(np.linspace(start, end, n))
    return np.stack([cx + rx * np.cos(a), cy + ry * np.sin(a)], axis=1)


def curve(*points, n: int = 20) -> Stroke:
    """A Bezier curve through its control points (any order)."""
    p = np.asarray(points, float)
    t = np.linspace(0.0, 1.0, n)
    k = len(p) - 1
    basis = np.stack([comb(k, i) * t ** i * (1 - t) ** (k - i) for i in range(k + 1)], axis=1)
    return basis @ p


def path(*pieces: Stroke) -> Stroke:
    """One pen stroke made of pieces drawn one after the other."""
    return np.concatenate(pieces, axis=0)


def _u(rng: Rng, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


# ---- the conventions, digit by digit --------------------------------------------------------
def zero_oval(r: Rng) -> list[Stroke]:
    rx, start = _u(r, 0.14, 0.3), _u(r, -130, -60)
    return [arc(0.3, 0.5, rx, 0.5, start, start - _u(r, 340, 400))]


def one_stem(r: Rng) -> list[Stroke]:
    bend = _u(r, -0.06, 0.06)
    return [curve((0.3, 0.0), (0.3 + bend, 0.5), (0.3, 1.0))]


def one_flag(r: Rng, long: bool = False) -> list[Stroke]:
    """A flag up to the top of the stem: short (MNIST has some) or long, as Europeans write."""
    length = _u(r, 0.35, 0.65) if long else _u(r, 0.12, 0.32)
    angle = np.radians(_u(r, 15, 45) if long else _u(r, 25, 60))
    top = np.array([0.4, 0.0])
    foot = np.array([0.4 + _u(r, -0.04, 0.04), 1.0])
    start = top + length * np.array([-np.cos(angle), np.sin(angle)])
    return [path(line(start, top), line(top, foot))]


def one_flag_base(r: Rng) -> list[Stroke]:
    strokes = one_flag(r, long=r.random() < 0.5)
    half, x = _u(r, 0.12, 0.25), strokes[0][-1][0]
    return strokes + [line((x - half, 1.0), (x + half, 1.0))]


def two_classic(r: Rng) -> list[Stroke]:
    ry = _u(r, 0.2, 0.3)
    top = arc(0.3, ry, 0.26, ry, _u(r, 160, 200), _u(r, 370, 400))
    foot = (_u(r, 0.0, 0.1), 1.0)
    return [path(top, line(top[-1], foot), line(foot, (_u(r, 0.55, 0.7), _u(r, 0.95, 1.02))))]


def two_loop(r: Rng) -> list[Stroke]:
    """A 2 whose foot is a small loop before the base."""
    ry = _u(r, 0.2, 0.28)
    top = arc(0.32, ry, 0.26, ry, _u(r, 160, 200), _u(r, 370, 400))
    size = _u(r, 0.07, 0.13)
    loop = arc(0.1, 1.0 - size, size, size, 300, -40)
    return [path(top, line(top[-1], loop[0]), loop,
                 line(loop[-1], (_u(r, 0.55, 0.7), 1.0)))]


def two_z(r: Rng) -> list[Stroke]:
    a, b, c, d = (0.02, 0.02), (0.58, 0.0), (0.03, 1.0), (0.62, 1.0)
    if r.random() < 0.5:  # a rounded top corner
        return [path(curve(a, (0.6, -0.05), (0.55, 0.25)), line((0.55, 0.25), c), line(c, d))]
    return [path(line(a, b), line(b, c), line(c, d))]


def three_round(r: Rng) -> list[Stroke]:
    mid = _u(r, 0.42, 0.52)
    upper = arc(0.3, mid / 2, 0.24, mid / 2, _u(r, 190, 220), 450)
    lower = arc(0.3, (1 + mid) / 2, 0.28, (1 - mid) / 2, 270, _u(r, 490, 520))
    return [path(upper, lower)]


def three_flat(r: Rng) -> list[Stroke]:
    """A 3 with a flat top, its middle reached by a diagonal (a "z" over a belly)."""
    mid = _u(r, 0.38, 0.5)
    lower = arc(0.3, (1 + mid) / 2, 0.28, (1 - mid) / 2, 250, _u(r, 490, 520))
    return [path(line((0.02, 0.0), (0.58, 0.0)), line((0.58, 0.0), lower[0]), lower)]


def four_closed(r: Rng) -> list[Stroke]:
    bar, stem_x = _u(r, 0.55, 0.72), _u(r, 0.4, 0.5)
    tip = (stem_x + _u(r, -0.08, 0.02), 0.0)
    return [path(line(tip, (0.0, bar)), line((0.0, bar), (0.65, bar))),
            line((stem_x, _u(r, 0.0, 0.1)), (stem_x, 1.0))]


def four_open(r: Rng) -> list[Stroke]:
    """Open at the top: an L-shaped stroke and a separate stem, as print and many schools."""
    bar, stem_x = _u(r, 0.5, 0.7), _u(r, 0.4, 0.52)
    left = _u(r, 0.0, 0.15)
    return [path(line((left + _u(r, 0.0, 0.1), 0.0), (left, bar)), line((left, bar), (0.68, bar))),
            line((stem_x, _u(r, 0.0, 0.2)), (stem_x + _u(r, -0.04, 0.04), 1.0))]


def four_hooked(r: Rng) -> list[Stroke]:
    """One pen path: down-left to a low bar, then a short stem that rises above the bar and
    comes down through it, closing a small loop (Dutch and German school hands)."""
    bar = _u(r, 0.58, 0.8)
    rise = bar - _u(r, 0.15, 0.45)
    end = (0.65, bar)
    stem_x = _u(r, 0.42, 0.55)
    top = (stem_x + _u(r, -0.05, 0.08), rise)
    hook = curve(end, (0.72, rise + 0.05), top, (stem_x - 0.05, bar), n=24)
    return [path(line((_u(r, 0.3, 0.5), 0.0), (0.0, bar)), line((0.0, bar), end), hook,
                 line(hook[-1], (stem_x - _u(r, 0.0, 0.1), 1.0)))]


def five_classic(r: Rng) -> list[Stroke]:
    mid = _u(r, 0.38, 0.5)
    belly = arc(0.3, (1 + mid) / 2, _u(r, 0.24, 0.3), (1 - mid) / 2, _u(r, 200, 230),
                _u(r, 490, 520))
    down = line((0.08, 0.02), belly[0])
    flag = line((0.08, 0.02), (_u(r, 0.5, 0.65), _u(r, -0.03, 0.03)))
    if r.random() < 0.5:
        return [path(down, belly), flag]
    return [path(flag[::-1], down, belly)]


def six_classic(r: Rng) -> list[Stroke]:
    ry = _u(r, 0.2, 0.3)
    cy = 1.0 - ry
    loop = arc(0.3, cy, 0.27, ry, 180, -_u(r, 160, 200))
    return [path(curve((_u(r, 0.45, 0.6), 0.0), (0.05, 0.15), loop[0]), loop)]


def six_flat(r: Rng) -> list[Stroke]:
    """A flat top stroke, then down into the loop (many European hands)."""
    ry = _u(r, 0.22, 0.32)
    loop = arc(0.3, 1.0 - ry, 0.27, ry, 180, -_u(r, 160, 200))
    corner = (_u(r, 0.1, 0.25), _u(r, 0.0, 0.05))
    return [path(line((_u(r, 0.5, 0.65), 0.0), corner), curve(corner, (0.03, 0.4), loop[0]),
                 loop)]


def seven(r: Rng, crossed: bool = False, hooked: bool = False) -> list[Stroke]:
    corner = (0.62, 0.0)
    foot = (_u(r, 0.12, 0.3), 1.0)
    bend = _u(r, -0.1, 0.1)
    stem = curve(corner, ((corner[0] + foot[0]) / 2 + bend, 0.5), foot)
    start = [line((0.0, _u(r, 0.12, 0.25)), (0.02, 0.0))] if hooked else []
    strokes = [path(*start, line((0.02, 0.0), corner), stem)]
    if crossed:
        y = _u(r, 0.42, 0.6)
        x = float(np.interp(y, stem[:, 1], stem[:, 0]))
        half = _u(r, 0.1, 0.22)
        strokes.append(line((x - half, y + _u(r, -0.03, 0.03)), (x + half, y)))
    return strokes


def eight_figure(r: Rng) -> list[Stroke]:
    waist = _u(r, 0.4, 0.5)
    t = np.linspace(0.0, 2 * np.pi, 72) + _u(r, -0.3, 0.3)
    upper_w, lower_w = _u(r, 0.18, 0.27), _u(r, 0.22, 0.32)
    w = np.where(np.cos(t) > 0, upper_w, lower_w)
    y = np.where(np.cos(t) > 0, waist * (1 - np.cos(t)),
                 waist + (1 - waist) * (-np.cos(t)))
    return [np.stack([0.3 + w * np.sin(2 * t) * 1.1, y], axis=1)]


def eight_snowman(r: Rng) -> list[Stroke]:
    waist = _u(r, 0.4, 0.5)
    return [arc(0.3, waist / 2, _u(r, 0.16, 0.24), waist / 2, -90, 270),
            arc(0.3, (1 + waist) / 2, _u(r, 0.2, 0.3), (1 - waist) / 2, -90, 270)]


def nine(r: Rng, tail: str = "straight") -> list[Stroke]:
    ry = _u(r, 0.18, 0.28)
    loop = arc(0.3, ry, 0.26, ry, 0, -360)
    right = (0.56, ry)
    if tail == "straight":
        rest = line(right, (_u(r, 0.35, 0.56), 1.0))
    elif tail == "curved":
        rest = curve(right, (0.56, 0.9), (0.35, 1.0), (_u(r, 0.1, 0.25), _u(r, 0.85, 0.95)))
    else:  # "g": the tail curls back up on the left, like a written g
        bottom = _u(r, 0.95, 1.15)
        rest = path(line(right, (0.55, 0.75)),
                    arc(0.3, 0.75, 0.25, bottom - 0.75, 0, _u(r, 130, 190)))
    return [path(loop, rest)]


STYLES: dict[int, dict[str, Callable[[Rng], list[Stroke]]]] = {
    0: {"oval": zero_oval},
    1: {"stem": one_stem, "flag": one_flag, "long-flag": lambda r: one_flag(r, long=True),
        "flag-base": one_flag_base},
    2: {"classic": two_classic, "loop": two_loop, "z": two_z},
    3: {"round": three_round, "flat-top": three_flat},
    4: {"closed": four_closed, "open": four_open, "hooked": four_hooked},
    5: {"classic": five_classic},
    6: {"classic": six_classic, "flat-top": six_flat},
    7: {"plain": seven, "crossed": lambda r: seven(r, crossed=True),
        "hooked": lambda r: seven(r, hooked=True),
        "crossed-hooked": lambda r: seven(r, crossed=True, hooked=True)},
    8: {"figure": eight_figure, "snowman": eight_snowman},
    9: {"straight": nine, "curved": lambda r: nine(r, "curved"), "g": lambda r: nine(r, "g")},
}


# ---- the hand: slant, proportions, wobble, pen ----------------------------------------------
def handwrite(strokes: list[Stroke], rng: Rng) -> list[Stroke]:
    """The strokes as one person might draw them: slanted, narrower or wider, turned a little,
    each point moved by a smooth wobble."""
    width = np.exp(rng.uniform(np.log(0.6), np.log(1.5)))
    slant = rng.uniform(-0.35, 0.35)
    turn = np.radians(rng.uniform(-8, 8))
    rotate = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    amp, freq, phase = rng.uniform(0.0, 0.035, 2), rng.uniform(1.0, 3.0, 2), \
        rng.uniform(0, 2 * np.pi, 2)
    out = []
    for s in strokes:
        p = s.copy()
        p[:, 0] = (p[:, 0] - 0.3) * width + slant * (0.5 - p[:, 1])
        p[:, 1] = p[:, 1] - 0.5
        p = p @ rotate.T
        p[:, 0] += amp[0] * np.sin(freq[0] * 2 * np.pi * p[:, 1] + phase[0])
        p[:, 1] += amp[1] * np.sin(freq[1] * 2 * np.pi * p[:, 0] + phase[1])
        out.append(p)
    return out


def render(strokes: list[Stroke], pen: float) -> np.ndarray:
    """Anti-aliased strokes of width `pen` (in units of the digit's height) on a blank
    CANVAS x CANVAS float image (ink 1), the digit filling about 60% of it."""
    big = CANVAS * SUPER
    points = np.concatenate(strokes)
    lo, hi = points.min(axis=0), points.max(axis=0)
    scale = 0.6 * big / max(float((hi - lo).max()), 1e-6)
    centre = (lo + hi) / 2
    image = np.zeros((big, big), np.uint8)
    thickness = max(1, round(pen * scale))
    for s in strokes:
        pixels = np.round(((s - centre) * scale + big / 2) * 8).astype(np.int32)
        cv2.polylines(image, [pixels.reshape(-1, 1, 2)], False, 255, thickness,
                      cv2.LINE_AA, shift=3)
    small = cv2.resize(image, (CANVAS, CANVAS), interpolation=cv2.INTER_AREA)
    return small.astype(np.float32) / 255.0


def digitize(ink: np.ndarray, rng: Rng) -> np.ndarray:
    """What the digitizers behind NIST's, UCI's and USPS's sets did to a written digit: its
    ink box stretched to fill a small, about square grid (12-20 px) in both directions, so a
    narrow 1 becomes a block as wide as it is tall, averaged down and kept as a few grey
    levels or as black and white."""
    bbox = ink_bbox(ink, BBOX_FRACTION)
    if bbox is None:
        return ink
    side = int(rng.integers(12, 21))
    size = (max(4, round(side * rng.uniform(0.85, 1.1))), side)
    small = cv2.resize(ink[bbox[0]:bbox[2], bbox[1]:bbox[3]], size,
                       interpolation=cv2.INTER_AREA)
    levels = (1, 6, 255)[rng.integers(3)]  # black and white, mfeat's 7 levels, 8 bits
    return np.round(small * levels) / levels


def draw_digit(digit: int, style: str, rng: Rng, digitized: bool = False) -> np.ndarray:
    """One [28, 28] float32 digit in convention `style` of `STYLES[digit]`, framed the MNIST
    way, or first passed through a box-filling `digitize`r."""
    strokes = handwrite(STYLES[digit][style](rng), rng)
    ink = render(strokes, pen=float(rng.uniform(0.06, 0.2)))
    image = frame_ink(digitize(ink, rng) if digitized else ink)
    return image if image is not None else np.zeros((SIZE, SIZE), np.float32)


def draw_digits(n: int, rng: Rng, styles: dict[int, tuple[str, ...]] | None = None,
                digitized: float = DIGITIZED) -> tuple[np.ndarray, np.ndarray]:
    """n digits, classes balanced at random and each in a random convention of its class
    (`styles` limits the conventions per class), a share `digitized` of them through a
    box-filling digitizer: (images [n, 28, 28] float32, labels [n])."""
    labels = rng.integers(0, 10, n)
    images = np.zeros((n, SIZE, SIZE), np.float32)
    for i, digit in enumerate(labels):
        names = styles[int(digit)] if styles else tuple(STYLES[int(digit)])
        images[i] = draw_digit(int(digit), names[rng.integers(len(names))], rng,
                               digitized=bool(rng.random() < digitized))
    return images, labels.astype(np.int64)
