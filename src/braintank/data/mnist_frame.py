"""MNIST's last step, framing: the ink's box scaled so its longer side is 20 px, placed in
28x28 with its centre of mass at the centre.

Every 28x28 input braintank makes ends here: photos and scans (`imaging.preprocess`, after
the paper is removed) and digits and marks drawn stroke by stroke (`data.stroke_digits`,
`data.non_digits`).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SIZE = 28          # MNIST frame
BOX = 20           # MNIST scales the longer side of the digit's bounding box to this
CENTRE = 14.0      # measured on MNIST test: mean centre of mass is (13.99, 14.01), std 0.29
BBOX_FRACTION = 0.1  # the digit box ends where ink falls below this share of full ink


def ink_bbox(ink: np.ndarray, threshold: float) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right), bottom/right exclusive, of pixels above `threshold`."""
    inked = ink > threshold
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def fit_box(crop: np.ndarray) -> np.ndarray:
    """Scale so the longer side is BOX px, keeping aspect; area filter when shrinking, as MNIST."""
    height, width = crop.shape
    longer = max(height, width)
    if longer == BOX:
        return crop
    size = (max(1, round(width * BOX / longer)), max(1, round(height * BOX / longer)))
    method = cv2.INTER_AREA if longer > BOX else cv2.INTER_LINEAR
    return np.clip(cv2.resize(crop, size, interpolation=method), 0.0, 1.0)


def centre(patch: np.ndarray) -> np.ndarray:
    """Place the patch in 28x28 with its centre of mass at (14, 14), shifting by whole pixels.

    Unlike MNIST, which let ~1 % of digits run into the frame edge, the shift is clamped so no
    ink is cut off.
    """
    height, width = patch.shape
    total = max(float(patch.sum()), 1e-12)
    cy = float(patch.sum(axis=1) @ np.arange(height)) / total
    cx = float(patch.sum(axis=0) @ np.arange(width)) / total
    top = min(max(math.floor(CENTRE - cy + 0.5), 0), SIZE - height)
    left = min(max(math.floor(CENTRE - cx + 0.5), 0), SIZE - width)
    frame = np.zeros((SIZE, SIZE), dtype=np.float32)
    frame[top:top + height, left:left + width] = patch
    return frame


def frame_box(ink: np.ndarray, bbox: tuple[int, int, int, int]) -> np.ndarray:
    """The ink inside `bbox` (see ink_bbox) framed the MNIST way."""
    return centre(fit_box(ink[bbox[0]:bbox[2], bbox[1]:bbox[3]]))


def frame_ink(ink: np.ndarray) -> np.ndarray | None:
    """A clean ink image (ink 1 on 0, no paper to remove) framed the MNIST way; None if
    blank."""
    ink = np.asarray(ink, dtype=np.float32)
    bbox = ink_bbox(ink, BBOX_FRACTION)
    return None if bbox is None else frame_box(ink, bbox)
