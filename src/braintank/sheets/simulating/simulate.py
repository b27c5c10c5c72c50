"""Sheet simulator: fill a template with MNIST digits, then degrade it like a scan or photo.

Returns the image and the truth separately; the reader under test only ever gets the image.
The tests, the benchmarks and `braintank sheet simulate` (trying the reader without paper)
all use this one simulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from braintank.sheets.printing.layout import LINE_WIDTH, Layout
from braintank.sheets.printing.template import render_array
from braintank.sheets.simulating.simulate_mishaps import (
    CUT_SIDES,
    cover_markers,
    cut_edge,
    desk_photo,
    sheets_on_desk,
)

SPECIAL_KINDS = ("two", "dash", "crossed", "stray")
# Share of written digits pushed against or across a line of their box.
CROSS_RATE = 0.15
# The truth as a CSV shaped like `braintank sheet read`'s, so the two line up row by row.
TRUTH_COLUMNS = ("file", "page", "row", "col", "digit")


@dataclass
class SimSheet:
    """A simulated page: encoded image bytes (JPEG or PNG), its grey pixels and the truth."""

    data: bytes
    image: np.ndarray
    dpi: float
    matrix: np.ndarray  # true map from 300-dpi page pixels to image pixels
    truth: dict[tuple[int, int], int | None] = field(default_factory=dict)
    kinds: dict[tuple[int, int], str] = field(default_factory=dict)
    sources: dict[tuple[int, int], int] = field(default_factory=dict)  # MNIST test index
    # Boxes the photo cuts off (wholly or partly): the reader must list them, not read them.
    outside: set[tuple[int, int]] = field(default_factory=set)


def _digit_ink(digit: np.ndarray, height: int, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit scaled to `height` px with a random pen width, ink in [0, 1]."""
    ink = cv2.resize(digit.astype(np.float32) / 255.0, (height, height),
                     interpolation=cv2.INTER_CUBIC)
    ink = np.clip(ink, 0, 1)
    pen = int(rng.integers(-2, 4)) * max(1, height // 90)
    if pen:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(pen) + 1,) * 2)
        ink = cv2.dilate(ink, kernel) if pen > 0 else cv2.erode(ink, kernel)
    return ink


def _skeleton(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide centre lines of a binary mask (Zhang-Suen thinning)."""
    img = mask.astype(np.uint8)
    changed = True
    while changed:
        changed = False
        for first in (True, False):
            p = np.pad(img, 1)
            n = [p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:], p[2:, 1:-1], p[2:, :-2],
                 p[1:-1, :-2], p[:-2, :-2]]  # P2..P9, clockwise from north
            count = sum(v.astype(np.int16) for v in n)
            turns = sum(((n[k] == 0) & (n[(k + 1) % 8] == 1)).astype(np.int16)
                        for k in range(8))
            p2, p4, p6, p8 = n[0], n[2], n[4], n[6]
            if first:
                side = ((p2 & p4 & p6) == 0) & ((p4 & p6 & p8) == 0)
            else:
                side = ((p2 & p4 & p8) == 0) & ((p2 & p6 & p8) == 0)
            drop = (img == 1) & (count >= 2) & (count <= 6) & (turns == 1) & side
            if drop.any():
                img[drop] = 0
                changed = True
    return img


def _pen_ink(ink: np.ndarray, pen_px: int) -> np.ndarray:
    """The digit redrawn along its centre line with a pen `pen_px` wide (a ballpoint at
    300 dpi is 4-6 px, far thinner than a scaled-up MNIST stroke)."""
    centre = _skeleton(ink > 0.5).astype(np.float32)
    radius = max(pen_px // 2, 0)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    return cv2.GaussianBlur(cv2.dilate(centre, disc), (0, 0), 0.6)


def _stamp(canvas: np.ndarray, ink: np.ndarray, cx: float, cy: float, darkness: float) -> None:
    """Darken `canvas` (paper brightness) by `ink` centred at (cx, cy)."""
    h, w = ink.shape
    x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
    xa, ya = max(x0, 0), max(y0, 0)
    xb, yb = min(x0 + w, canvas.shape[1]), min(y0 + h, canvas.shape[0])
    if xa >= xb or ya >= yb:
        return
    patch = ink[ya - y0:yb - y0, xa - x0:xb - x0]
    canvas[ya:yb, xa:xb] *= 1.0 - darkness * patch


def _line_ink(w: int, h: int, thickness: int, p0, p1) -> np.ndarray:
    ink = np.zeros((h, w), np.float32)
    cv2.line(ink, (int(p0[0]), int(p0[1])), (int(p1[0]), int(p1[1])), 1.0, thickness,
             cv2.LINE_AA)
    return ink


def _write_cell(canvas, box, kind, digits, labels, rng,
                pick: int | None = None, pen_px: int | None = None,
                cross_rate: float = CROSS_RATE) -> tuple[int | None, int | None]:
    x0, y0, x1, y1 = box
    inner = (x1 - x0) - 2 * LINE_WIDTH
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    dark = float(rng.uniform(0.6, 0.95))
    drawn = int(rng.integers(len(digits)))  # drawn even when given: the same page otherwise
    pick = drawn if pick is None else pick
    if kind == "digit":
        size = int(inner * rng.uniform(0.75, 1.15))
        ink = _digit_ink(digits[pick], size, rng)
        if pen_px:
            ink = _pen_ink(ink, pen_px)
        dx, dy = rng.uniform(-0.12, 0.12, 2) * inner
        if rng.random() < cross_rate:  # touch or cross the frame
            side = rng.integers(4)
            push = inner * rng.uniform(0.2, 0.3)
            dx, dy = [(push, 0), (-push, 0), (0, push), (0, -push)][side]
        _stamp(canvas, ink, cx + dx, cy + dy, dark)
        return int(labels[pick]), pick
    if kind == "two":
        for shift in (-0.22, 0.22):
            ink = _digit_ink(digits[int(rng.integers(len(digits)))], int(inner * 0.75), rng)
            ink = cv2.resize(ink, (int(inner * 0.5), int(inner * 0.75)))
            _stamp(canvas, ink, cx + shift * inner, cy, dark)
    elif kind == "dash":
        t = max(3, inner // 14)
        ink = _line_ink(inner, inner, t, (inner * 0.25, inner * 0.5), (inner * 0.75, inner * 0.5))
        _stamp(canvas, ink, cx, cy + rng.uniform(-0.1, 0.1) * inner, dark)
    elif kind == "crossed":
        ink = _digit_ink(digits[pick], int(inner * 0.6), rng)
        t = max(3, inner // 18)
        strike = _line_ink(ink.shape[1], ink.shape[0], t, (0, ink.shape[0] * 0.8),
                           (ink.shape[1], ink.shape[0] * 0.2))
        _stamp(canvas, np.maximum(ink, strike), cx - 0.2 * inner, cy, dark)
        other = _digit_ink(digits[int(rng.integers(len(digits)))], int(inner * 0.6), rng)
        _stamp(canvas, other, cx + 0.25 * inner, cy, dark)
    elif kind == "stray":
        r = max(3, inner // 25)
        ink = np.zeros((4 * r, 4 * r), np.float32)
        cv2.circle(ink, (2 * r, 2 * r), r, 1.0, -1, cv2.LINE_AA)
        ox, oy = rng.uniform(-0.3, 0.3, 2) * inner
        _stamp(canvas, ink, cx + ox, cy + oy, dark)
    return None, None


def fill_page(layout: Layout, digits: np.ndarray, labels: np.ndarray, rng: np.random.Generator,
              empty_rate: float = 0.15, special_rate: float = 0.0,
              order: Iterator[int] | None = None, pen_px: int | None = None,
              cross_rate: float = CROSS_RATE):
    """The clean 300-dpi page (float brightness) with every cell filled, and the truth.

    `order`: indices of the digits to write, in turn (each written once; cells left when it
    runs out stay empty); by default each cell draws one at random. `pen_px` redraws the
    digits with a pen of that width instead of scaled-up MNIST strokes. `cross_rate`: the
    share of digits written against or across a line of their box.
    """
    canvas = render_array(layout).astype(np.float32) / 255.0
    truth, kinds, sources = {}, {}, {}
    for cell in layout.cells:
        u = rng.random()
        if u < empty_rate:
            kind = "empty"
        elif u < empty_rate + special_rate:
            kind = SPECIAL_KINDS[int(rng.integers(len(SPECIAL_KINDS)))]
        else:
            kind = "digit"
        pick = None
        if kind == "digit" and order is not None:
            pick = next(order, None)
            kind = "empty" if pick is None else kind
        key = (cell.row, cell.col)
        kinds[key] = kind
        truth[key], source = (None, None) if kind == "empty" else _write_cell(
            canvas, cell.box, kind, digits, labels, rng, pick, pen_px, cross_rate)
        if source is not None:
            sources[key] = source
    return canvas, truth, kinds, sources


NOISE_KINDS = ("gaussian", "uneven", "speckle", "salt-pepper", "blotchy", "colour")


@dataclass(frozen=True)
class Noise:
    """Scanner or camera noise of one kind, `sigma` in 8-bit levels (0-255).

    gaussian: independent per pixel. uneven: gaussian whose sigma ramps from 0.2x to 1x
    across the page (one noisy scanner side, a dark corner). speckle: multiplicative, sigma
    at white paper. salt-pepper: a share `sigma / 255` of the pixels set to black or white.
    blotchy: noise blurred to a few pixels' grain (upsampled or denoised-by-camera photos),
    scaled to keep `sigma`. colour: independent gaussian per channel of a colour photo (the
    encoded file is colour; `SimSheet.image` is its grey decoding).
    """

    sigma: float
    kind: str = "gaussian"

    def __post_init__(self) -> None:
        if self.kind not in NOISE_KINDS:
            raise ValueError(f"noise kind {self.kind!r} not one of {NOISE_KINDS}")

    def apply(self, levels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """`levels` (float grey 0-255) with the noise added."""
        shape, s = levels.shape, self.sigma
        if self.kind == "gaussian":
            return levels + rng.normal(0, s, shape).astype(np.float32)
        if self.kind == "uneven":
            ramp = np.linspace(0.2, 1.0, shape[1], dtype=np.float32)[None, :]
            if rng.random() < 0.5:
                ramp = ramp[:, ::-1]
            return levels + rng.normal(0, 1, shape).astype(np.float32) * (s * ramp)
        if self.kind == "speckle":
            return levels * (1 + rng.normal(0, s / 255, shape).astype(np.float32))
        if self.kind == "salt-pepper":
            u = rng.random(shape, dtype=np.float32)
            rate = s / 255
            out = np.where(u < rate / 2, 0.0, levels)
            return np.where(u > 1 - rate / 2, 255.0, out).astype(np.float32)
        if self.kind == "blotchy":
            grain = cv2.GaussianBlur(rng.normal(0, 1, shape).astype(np.float32), (0, 0), 1.5)
            return levels + grain * (s / float(grain.std()))
        # colour: independent noise on each channel of a colour photo (H x W x 3).
        return levels[..., None] + rng.normal(0, s, (*shape, 3)).astype(np.float32)


def _destination(w: int, h: int, scale: float, rng, angle: float, persp: float) -> np.ndarray:
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64) * scale
    corners += rng.uniform(-persp, persp, (4, 2)) * np.array([w, h]) * scale
    centre = corners.mean(axis=0)
    t = np.deg2rad(angle)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return (corners - centre) @ rot.T + centre


def _lighting(h: int, w: int, rng) -> np.ndarray:
    yy, xx = np.mgrid[0:h:16, 0:w:16].astype(np.float32)
    gx, gy = rng.uniform(-0.35, 0.35, 2)
    field_ = 1.0 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    field_ -= 0.25 * rng.random() * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (0.3 * w * h))
    # A hard-edged shadow (a hand or a phone) over one part of the page.
    if rng.random() < 0.7:
        a, b = rng.uniform(-1, 1, 2)
        side = (xx - w * rng.uniform(0.2, 0.8)) * a + (yy - h * rng.uniform(0.2, 0.8)) * b > 0
        field_ *= np.where(side, rng.uniform(0.55, 0.8), 1.0).astype(np.float32)
    field_ = cv2.resize(field_, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(field_, (0, 0), max(2.0, w / 300))


def degrade(page: np.ndarray, rng: np.random.Generator, dpi: float | None = None,
            angle: float | None = None, jpeg: bool = True, noise: Noise | None = None,
            jpeg_quality: int | None = None, blur: float | None = None):
    """Photograph `page` (float brightness, 300 dpi).

    `noise` adds scanner noise to the image before it is encoded (PNG keeps it exactly, JPEG
    smooths some of it). It is drawn from a child generator, so a seed gives the same page
    with or without it, and as before this option existed.

    Returns (encoded bytes, grey uint8, dpi, 3x3 map from page to image pixels).
    """
    dpi = float(rng.uniform(150, 600)) if dpi is None else dpi
    angle = float(rng.uniform(-15, 15)) if angle is None else angle
    h, w = page.shape
    scale = dpi / 300.0
    dst = _destination(w, h, scale, rng, angle, persp=0.03)
    # Crop part of the margin: keep the page, less up to ~2.5% of it on each side.
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    span = hi - lo
    keep_lo = lo + rng.uniform(-0.04, 0.025, 2) * span
    keep_hi = hi - rng.uniform(-0.04, 0.025, 2) * span
    dst -= keep_lo
    out_w, out_h = (keep_hi - keep_lo).astype(int)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    table = float(rng.uniform(0.15, 0.55))
    drawn_blur = float(rng.uniform(0.3, 1.6))
    blur = drawn_blur if blur is None else blur
    # Blur at 300 dpi before resampling, as a lens would.
    photo = cv2.warpPerspective(cv2.GaussianBlur(page, (0, 0), blur), matrix, (out_w, out_h),
                                flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=table)
    photo *= _lighting(out_h, out_w, rng) * float(rng.uniform(0.75, 1.0))
    photo += rng.normal(0, rng.uniform(0.005, 0.03), photo.shape).astype(np.float32)
    quality = int(rng.integers(45, 92)) if jpeg else 0
    quality = quality if jpeg_quality is None else jpeg_quality
    levels = photo * 255
    if noise is not None:
        # A child generator: the page's own draws stay those of the noiseless page.
        levels = noise.apply(levels, rng.spawn(1)[0])
    grey = np.clip(levels + 0.5, 0, 255).astype(np.uint8)
    if jpeg:
        ok, data = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, quality])
    else:
        ok, data = cv2.imencode(".png", grey)
    assert ok
    data = data.tobytes()
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    return data, decoded, dpi, matrix


def simulate_sheet(layout: Layout, digits: np.ndarray, labels: np.ndarray,
                   rng: np.random.Generator, empty_rate: float = 0.15,
                   special_rate: float = 0.0, order: Iterator[int] | None = None,
                   pen_px: int | None = None, covered: tuple[int, ...] = (),
                   cover_style: str = "thumb", desk: bool = False,
                   cross_rate: float = CROSS_RATE, cut: str | None = None,
                   **degrade_args) -> SimSheet:
    """A filled, degraded page of `layout` with its truth (`order`, `pen_px`, `cross_rate`:
    see fill_page).

    `covered`: marker ids hidden under a thumb or a fold (`cover_style` 'thumb', 'fold' or
    'mixed'); `desk`: photograph the page small on a cluttered desk instead; `cut`: the photo's
    edge cuts through the outermost boxes on that side of the page (one of CUT_SIDES, or
    'any': left, top or right, which leave the layout code whole). See simulate_mishaps.py.
    """
    page, truth, kinds, sources = fill_page(layout, digits, labels, rng, empty_rate,
                                            special_rate, order, pen_px, cross_rate)
    data, image, dpi, matrix = _photograph(page, layout, rng, covered, cover_style, desk,
                                           degrade_args)
    outside: set[tuple[int, int]] = set()
    if cut is not None:
        if desk:
            raise ValueError("a desk photo shows the whole page; it cannot also be cut")
        side = str(rng.choice(CUT_SIDES[:3])) if cut == "any" else cut
        if side not in CUT_SIDES:
            raise ValueError(f"cut side {side!r} not one of {CUT_SIDES} or 'any'")
        data, image, matrix, outside = cut_edge(image, matrix, layout, side, rng,
                                                jpeg=degrade_args.get("jpeg", True))
    return SimSheet(data=data, image=image, dpi=dpi, matrix=matrix, truth=truth, kinds=kinds,
                    sources=sources, outside=outside)


def simulate_sheets(layout: Layout, digits: np.ndarray, labels: np.ndarray,
                    rng: np.random.Generator, count: int = 2) -> list[SimSheet]:
    """`count` filled sheets of `layout` side by side in one photo of a desk (about 220 dpi for
    two): one SimSheet per sheet, left to right, all holding the same photo."""
    filled = [fill_page(layout, digits, labels, rng) for _ in range(count)]
    data, image, dpi, matrices = sheets_on_desk([f[0] for f in filled], rng)
    return [SimSheet(data=data, image=image, dpi=dpi, matrix=matrix, truth=truth, kinds=kinds,
                     sources=sources)
            for (_, truth, kinds, sources), matrix in zip(filled, matrices, strict=True)]


def scan_sheet(layout: Layout, digits: np.ndarray, labels: np.ndarray,
               rng: np.random.Generator, noise: Noise | None = None, angle: float = 0.0,
               jpeg_quality: int | None = None, empty_rate: float = 0.15,
               special_rate: float = 0.0, pen_px: int | None = None,
               blur: float = 0.7, cross_rate: float = CROSS_RATE) -> SimSheet:
    """A filled page through a flatbed scanner: 300 dpi, white paper, even light, slightly
    turned by `angle` degrees, blurred by the optics (`blur` px), then scanner noise; PNG
    unless `jpeg_quality` is given."""
    page, truth, kinds, sources = fill_page(layout, digits, labels, rng, empty_rate,
                                            special_rate, pen_px=pen_px, cross_rate=cross_rate)
    h, w = page.shape
    matrix = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), [0, 0, 1]])
    levels = cv2.warpAffine(cv2.GaussianBlur(page, (0, 0), blur) * 255, matrix[:2], (w, h),
                            flags=cv2.INTER_LINEAR, borderValue=255.0)
    if noise is not None:
        levels = noise.apply(levels, rng.spawn(1)[0])
    grey = np.clip(levels + 0.5, 0, 255).astype(np.uint8)
    if jpeg_quality is None:
        ok, data = cv2.imencode(".png", grey)
    else:
        ok, data = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    assert ok
    decoded = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return SimSheet(data=data.tobytes(), image=decoded, dpi=300.0, matrix=matrix, truth=truth,
                    kinds=kinds, sources=sources)


def truth_rows(sheet: SimSheet, file: str, page: int = 1) -> list[dict[str, object]]:
    """The true digit of every box, in row then column order, for a CSV of TRUTH_COLUMNS;
    the digit is blank where nothing readable was written (an empty box or an odd mark)."""
    return [{"file": file, "page": page, "row": row, "col": col,
             "digit": "" if digit is None else str(digit)}
            for (row, col), digit in sorted(sheet.truth.items())]


def _photograph(page, layout, rng, covered, cover_style, desk, degrade_args):
    """The phone mishaps of simulate_mishaps.py, or the plain `degrade`."""
    if covered:
        cover_markers(page, covered, rng, layout, cover_style)
    if desk:
        return desk_photo(page, layout, rng)
    return degrade(page, rng, **degrade_args)
