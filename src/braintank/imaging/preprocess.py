"""Turn a grey digit image into the 28x28 input MNIST networks expect, the way MNIST was made.

MNIST took binary scans, scaled each digit's bounding box so the longer side is 20 px (the
anti-aliasing of that scaling makes the grey edges), and placed it in 28x28 with its centre of
mass at pixel (14, 14). `to_mnist` does the same to a photo or scan: it finds the ink polarity,
removes the (possibly uneven) paper background, drops specks, normalises the stroke contrast
to 1 while keeping anti-aliased grey edges, then crops, scales and centres.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from braintank.data.mnist_frame import BBOX_FRACTION, SIZE, frame_box, ink_bbox
from braintank.errors import BraintankError
from braintank.fileio import atomic_open
from braintank.imaging.images import to_grey

_STAT_SAMPLES = 16384      # noise statistics use at most about this many pixels
_FIT_SIDE = 32             # background surface is fitted on an image no larger than this
_NOISE_FLOOR = 0.002       # below one 8-bit level after blurring: quantisation, not signal
_LOW_SIGMAS = 4.0          # ink mask threshold: rarely reached by blurred background noise
_LOW_FLOOR = 0.02          # ... and never below 2 % contrast (JPEG ringing, paper texture)
_SIG_SIGMAS = 8.0          # a digit's stroke must stand far out of the noise ...
_SIG_CONTRAST = 0.06       # ... and be darker than paper texture/blotches ever are
_MIN_EXTENT_PX = 6         # a digit spans at least this many pixels ...
_MIN_EXTENT_FRAC = 0.05    # ... and this fraction of the image's shorter side (dust is smaller)
_DOT_EXTENT_FRAC = 0.15    # a round filled blob smaller than this fraction is a dot, not ink:
_DOT_ASPECT = 1.5          # ... round: bounding box at most this elongated
_DOT_FILL = 0.6            # ... filled: a disc fills 0.785 of its box, a "0" ring far less
_SPECK_MASS = 0.04         # parts with under 4 % of the main stroke's ink are specks ...
_FAR_MASS = 0.25           # ... and far-off parts need a quarter of it to count as the digit
_PART_CONTRAST = 0.25      # a digit part is at least this fraction of the main stroke's contrast
_CORE_FRACTION = 0.5       # stroke cores: pixels above half the strongest ink ...
_LEVEL_QUANTILE = 0.5      # ... whose median contrast is taken as full ink (1.0)


@dataclass(frozen=True)
class Preprocessed:
    """The 28x28 network input made from one image, with diagnostics for callers.

    image: float32 [28, 28] in [0, 1], ink 1 on background 0 like MNIST; None when empty.
    empty: no meaningful ink (blank paper, noise, a speck).
    inverted: the input had dark ink on light paper (so it was inverted).
    ink_bbox: (top, left, bottom, right), bottom/right exclusive, of the ink in input pixels.
    components: how many connected ink parts made up the digit.
    contrast: stroke contrast above the background, in input grey units [0, 1].
    noise: robust standard deviation of the (lightly blurred) background, same units.
    parts: each ink part of the digit as (left, top, right, bottom, mass), in input pixels
        (right/bottom exclusive; mass: its summed contrast), for the shape rules of
        `inference.marks`.
    """

    image: np.ndarray | None
    empty: bool
    inverted: bool
    ink_bbox: tuple[int, int, int, int] | None
    components: int
    contrast: float
    noise: float
    parts: tuple[tuple[int, int, int, int, float], ...] = ()


def to_mnist(grey: np.ndarray) -> Preprocessed:
    """Convert one digit image (2-D grey in [0, 1], or anything `to_grey` accepts) to MNIST form."""
    grey = to_grey(grey, name="digit image")
    residual = grey - _fit_background(grey)
    blurred = cv2.blur(residual, (3, 3), borderType=cv2.BORDER_REPLICATE)
    inverted = _ink_is_dark(blurred)
    if inverted:
        residual, blurred = -residual, -blurred
    noise = _noise_sigma(blurred)
    labels, keep, peak, parts = _digit_components(blurred, noise)
    if not keep:
        return Preprocessed(None, True, inverted, None, 0, 0.0, noise)
    chosen = np.zeros(labels.max() + 1, dtype=bool)
    chosen[keep] = True
    region = chosen[labels]
    level = _stroke_level(residual[region], peak)
    ink = np.clip(residual / level, 0.0, 1.0) * region
    bbox = ink_bbox(ink, max(3.0 * _noise_sigma(residual) / level, BBOX_FRACTION))
    if bbox is None:
        return Preprocessed(None, True, inverted, None, 0, level, noise)
    image = frame_box(ink, bbox)
    return Preprocessed(image, False, inverted, bbox, len(keep), level, noise, parts)


def to_mnist_batch(images: Sequence[np.ndarray]) -> tuple[np.ndarray, list[Preprocessed]]:
    """`to_mnist` for each image: (float32 [N, 28, 28], zeros where empty; the results)."""
    results = [to_mnist(image) for image in images]
    batch = np.zeros((len(results), SIZE, SIZE), dtype=np.float32)
    for index, result in enumerate(results):
        if result.image is not None:
            batch[index] = result.image
    return batch, results


def save_preview(image28: np.ndarray, path: str | os.PathLike, *, scale: int = 1) -> None:
    """Write a 28x28 network input as an 8-bit PNG (white ink on black, as the network sees it)."""
    image28 = np.asarray(image28)
    if image28.shape != (SIZE, SIZE):
        raise BraintankError(f"preview expects a {SIZE}x{SIZE} image, got shape {image28.shape}")
    if not isinstance(scale, int) or scale < 1:
        raise BraintankError(f"preview scale must be a positive integer, got {scale!r}")
    pixels = np.round(to_grey(image28, name="preview image") * 255).astype(np.uint8)
    if scale > 1:
        pixels = np.kron(pixels, np.ones((scale, scale), dtype=np.uint8))
    with atomic_open(path, "wb") as handle:
        Image.fromarray(pixels, mode="L").save(handle, format="PNG")


def _fit_background(grey: np.ndarray) -> np.ndarray:
    """A smooth quadratic surface through the paper, ignoring ink by iterated outlier rejection.

    A quadratic follows lighting gradients and vignetting; being fitted on a <=32 px copy it
    costs little and cannot bend into strokes the way a local filter would.
    """
    height, width = grey.shape
    factor = min(1.0, _FIT_SIDE / max(height, width))
    small = grey
    if factor < 1.0:
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    design = _quadratic_terms(*small.shape)
    values = small.ravel().astype(np.float64)
    # Start from the image border: paper even in a tight crop whose ink covers half the pixels.
    ring = _border(small)
    median = _median(ring)
    spread = max(1.4826 * _median(np.abs(ring - median)), _NOISE_FLOOR)
    inliers = np.abs(values - median) <= 3.0 * spread
    coef = np.array([median, 0, 0, 0, 0, 0], dtype=np.float64)
    for _ in range(3):
        if inliers.sum() < 2 * design.shape[1]:
            break
        chosen = design[inliers]
        # Normal equations with a tiny ridge: a 6x6 solve, robust to degenerate pixel layouts.
        gram = chosen.T @ chosen + 1e-9 * np.eye(design.shape[1])
        coef = np.linalg.solve(gram, chosen.T @ values[inliers])
        residual = values - design @ coef
        spread = max(1.4826 * _median(np.abs(residual[inliers])), _NOISE_FLOOR)
        updated = np.abs(residual) <= 2.5 * spread
        if np.array_equal(updated, inliers):
            break
        inliers = updated
    return _evaluate_quadratic(coef, height, width)


def _border(image: np.ndarray) -> np.ndarray:
    """The outermost ring of pixels, as one flat array."""
    if min(image.shape) <= 2:
        return image.ravel()
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


@functools.lru_cache(maxsize=64)
def _quadratic_terms(height: int, width: int) -> np.ndarray:
    """[1, x, y, x^2, xy, y^2] at pixel centres in [-1, 1] coordinates, one row per pixel."""
    y, x = _unit_coordinates(height, width)
    y, x = np.broadcast_arrays(y, x)
    terms = np.stack([np.ones(y.size), x.ravel(), y.ravel(), x.ravel() ** 2,
                      (x * y).ravel(), y.ravel() ** 2], axis=1)
    terms.setflags(write=False)
    return terms


def _evaluate_quadratic(coef: np.ndarray, height: int, width: int) -> np.ndarray:
    y, x = _unit_coordinates(height, width)
    c0, cx, cy, cxx, cxy, cyy = coef.astype(np.float32)
    rows = c0 + cy * y + cyy * y * y
    return rows + x * (cx + cxx * x + cxy * y)


@functools.lru_cache(maxsize=256)
def _unit_coordinates(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [-1, 1]: a column of y values and a row of x values."""
    y = ((np.arange(height, dtype=np.float32) + 0.5) / height * 2 - 1)[:, None]
    x = ((np.arange(width, dtype=np.float32) + 0.5) / width * 2 - 1)[None, :]
    y.setflags(write=False)
    x.setflags(write=False)
    return y, x


def _median(values: np.ndarray) -> float:
    """Median of at most ~16k evenly strided samples: as good an estimate of a noise level."""
    flat = values.ravel()
    return _quantile(flat[:: max(1, flat.size // _STAT_SAMPLES)], 0.5)


def _quantile(values: np.ndarray, q: float) -> float:
    """Nearest-rank quantile by partial sort; np.percentile's overhead dominates on digit crops."""
    flat = values.ravel()
    rank = min(int(q * flat.size), flat.size - 1)
    return float(np.partition(flat, rank)[rank])


def _ink_is_dark(blurred: np.ndarray) -> bool:
    """Ink is the heavy tail: compare how much lies far below versus far above the background.

    The noise scale comes from the quieter side, which ink cannot inflate even when it covers
    half of a tight crop.
    """
    spread = min(_noise_sigma(blurred), _noise_sigma(-blurred))
    blurred = blurred.ravel()[:: max(1, blurred.size // (4 * _STAT_SAMPLES))]
    above = np.clip(blurred - 3.0 * spread, 0.0, None).sum()
    below = np.clip(-blurred - 3.0 * spread, 0.0, None).sum()
    return bool(below > above)


def _noise_sigma(ink_positive: np.ndarray) -> float:
    """Noise from the side of the background that ink never reaches, so ink cannot inflate it."""
    sample = ink_positive.ravel()[:: max(1, ink_positive.size // (4 * _STAT_SAMPLES))]
    negative = sample[sample < 0]
    if negative.size < 16:
        return _NOISE_FLOOR
    return max(_median(-negative) / 0.6745, _NOISE_FLOOR)


def _digit_components(blurred: np.ndarray, noise: float
                      ) -> tuple[np.ndarray, list[int], float, tuple]:
    """(labels, ids of the components that form the digit, main stroke peak contrast, and
    each such component as (left, top, right, bottom, mass))."""
    mask = (blurred > max(_LOW_SIGMAS * noise, _LOW_FLOOR)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return labels, [], 0.0, ()
    inked = labels > 0
    mass = np.bincount(labels[inked], weights=blurred[inked], minlength=count)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    min_extent = max(_MIN_EXTENT_PX, _MIN_EXTENT_FRAC * min(blurred.shape))
    significant = max(_SIG_SIGMAS * noise, _SIG_CONTRAST)
    main, main_peak = 0, 0.0
    for part in np.flatnonzero(extent >= min_extent):
        if part == 0 or mass[part] <= mass[main] or _is_dot(blurred, labels, stats[part], part):
            continue
        peak = _peak(blurred, labels, stats[part], part)
        if peak >= significant:
            main, main_peak = int(part), peak
    if main == 0:
        return labels, [], 0.0, ()
    keep = [main]
    for part in np.flatnonzero(mass >= _SPECK_MASS * mass[main]):
        if part in (0, main):
            continue
        needed = _FAR_MASS if _is_far(stats[part], stats[main]) else _SPECK_MASS
        if (mass[part] >= needed * mass[main]
                and _peak(blurred, labels, stats[part], part) >= _PART_CONTRAST * main_peak):
            keep.append(int(part))
    parts = tuple((int(stats[k, 0]), int(stats[k, 1]), int(stats[k, 0] + stats[k, 2]),
                   int(stats[k, 1] + stats[k, 3]), float(mass[k])) for k in keep)
    return labels, keep, main_peak, parts


def _is_dot(values: np.ndarray, labels: np.ndarray, box: np.ndarray, part: int) -> bool:
    """A small, round, filled blob (pen dot, dust): not a stroke that could make a digit.

    Blur can fill the low-threshold mask of a small, thick "0", so a blob whose stroke cores
    enclose a hole is a ring, never a dot.
    """
    width, height, area = (int(box[i]) for i in (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT,
                                                   cv2.CC_STAT_AREA))
    round_ = max(width, height) <= _DOT_ASPECT * min(width, height)
    filled = area >= _DOT_FILL * width * height
    small = max(width, height) < _DOT_EXTENT_FRAC * min(values.shape)
    return round_ and filled and small and not _encloses_hole(values, labels, box, part)


def _encloses_hole(values: np.ndarray, labels: np.ndarray, box: np.ndarray, part: int) -> bool:
    """Whether the component's stroke cores (above half its peak) surround background."""
    left, top, width, height = (int(v) for v in box[:4])
    window = np.s_[top:top + height, left:left + width]
    inside = labels[window] == part
    core = inside & (values[window] > 0.5 * values[window][inside].max())
    background = np.pad(~core, 1, constant_values=True).astype(np.uint8)
    regions, _ = cv2.connectedComponents(background, connectivity=4)
    return regions > 2  # label 0 is the core itself; one more is the outside


def _peak(values: np.ndarray, labels: np.ndarray, box: np.ndarray, part: int) -> float:
    """Largest value inside one component, looking only within its bounding box."""
    left, top, width, height = (int(v) for v in box[:4])
    window = np.s_[top:top + height, left:left + width]
    return float(values[window][labels[window] == part].max())


def _is_far(part: np.ndarray, main: np.ndarray) -> bool:
    """Whether a part's box lies more than half the main stroke's extent from the main box."""
    left, top, width, height = (int(v) for v in part[:4])
    m_left, m_top, m_width, m_height = (int(v) for v in main[:4])
    gap_x = max(m_left - (left + width), left - (m_left + m_width), 0)
    gap_y = max(m_top - (top + height), top - (m_top + m_height), 0)
    return max(gap_x, gap_y) > 0.5 * max(m_width, m_height)


def _stroke_level(values: np.ndarray, peak: float) -> float:
    """Contrast of a stroke's core, so that dividing by it makes cores 1 like MNIST's binary ink.

    Taken among pixels above half the strongest ink, which leaves out the faint anti-aliased
    edges and noise that would otherwise drag it down and make strokes too bold.
    """
    strong = values[values > _CORE_FRACTION * _quantile(values, 0.995)]
    if strong.size == 0:
        return peak
    return max(_quantile(strong, _LEVEL_QUANTILE), 0.5 * peak)
