"""Find the sheet's four ArUco corner markers in a scan or photo, at any rotation."""

from __future__ import annotations

import cv2
import numpy as np

from braintank.sheets.printing.layout import MARKER_IDS

ARUCO_DICT = cv2.aruco.DICT_4X4_50
# Detection runs on a copy no larger than this; marker corners are scaled back afterwards.
DETECT_MAX_SIDE = 1800
# Markers this many pixels a side in that copy are read there as surely as at full size: when
# every marker found is that big, the missing ones are covered or cut off, not too small, and
# the costly full-size search (seconds on a 600-dpi scan) is skipped.
SURE_SIDE_PX = 60


def _detector() -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    dictionary = cv2.aruco.getPredefinedDictionary(ARUCO_DICT)
    return cv2.aruco.ArucoDetector(dictionary, params)


def to_uint8(grey: np.ndarray) -> np.ndarray:
    """A float [0,1] or uint8 grey image as uint8."""
    if grey.dtype == np.uint8:
        return grey
    return np.clip(grey * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _detect_at(img: np.ndarray, scale: float) -> list[tuple[int, np.ndarray]]:
    """(id, corners [4, 2] in full-size pixels) of every sheet marker found in `img`."""
    corners, ids, _ = _detector().detectMarkers(img)
    if ids is None:
        return []
    return [(int(marker_id), quad.reshape(4, 2).astype(np.float64) / scale)
            for quad, marker_id in zip(corners, ids.ravel(), strict=True)
            if int(marker_id) in MARKER_IDS]


def biggest_per_id(copies: list[tuple[int, np.ndarray]]) -> dict[int, np.ndarray]:
    """One marker per id; of two copies of an id (a marker of a neighbouring sheet in the
    photo) the bigger."""
    found: dict[int, np.ndarray] = {}
    for marker_id, quad in copies:
        if marker_id in found and cv2.contourArea(found[marker_id].astype(np.float32)) > \
                cv2.contourArea(quad.astype(np.float32)):
            continue
        found[marker_id] = quad
    return found


def detect_marker_copies(grey: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Every sheet marker in the photo as (id, corners [4, 2] TL, TR, BR, BL as printed), in
    `grey`'s pixels; an id appears more than once when several sheets are in the photo."""
    img = to_uint8(grey)
    side = max(img.shape)
    scale = min(1.0, DETECT_MAX_SIDE / side)
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1.0 else img
    found = _detect_at(small, scale)
    ids = len({marker_id for marker_id, _ in found})
    if ids < 4 and scale < 1.0 and not _all_big(biggest_per_id(found), scale):
        # Small or blurred markers can vanish in the reduced copy; the full image costs more.
        full = _detect_at(img, 1.0)
        if len({marker_id for marker_id, _ in full}) > ids:
            found = full
    return found


def detect_markers(grey: np.ndarray) -> dict[int, np.ndarray]:
    """Marker id -> its 4 corners [4, 2] in `grey`'s pixels (TL, TR, BR, BL as printed)."""
    return biggest_per_id(detect_marker_copies(grey))


def _all_big(found: dict[int, np.ndarray], scale: float) -> bool:
    """Whether markers were found and all are at least SURE_SIDE_PX a side at `scale`."""
    sides = [np.linalg.norm(q - np.roll(q, 1, axis=0), axis=1).min() * scale
             for q in found.values()]
    return bool(sides) and min(sides) >= SURE_SIDE_PX
