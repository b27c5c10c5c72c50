"""Several sheets in one photo: which corner markers belong to which sheet.

With two sheets side by side every marker id is found twice. Each sheet is the set of three
or four markers, one per id, that fit one flat sheet (`page_homography`); a set mixing the
markers of two sheets does not (each marker would have to be stretched to the other sheet's
place). Sheets are taken greedily, the best-fitting first, and returned in reading order.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from braintank.errors import BraintankError
from braintank.sheets.locating.rectify import page_homography

# Copies of one id tried (the biggest): more than four sheets in one photo is not a use case,
# and the sets to try grow as the product of the copies.
MAX_COPIES = 4

Markers = dict[int, np.ndarray]


def several_sheets(copies: list[tuple[int, np.ndarray]]) -> bool:
    """Whether any marker id was found more than once."""
    ids = [marker_id for marker_id, _ in copies]
    return len(ids) != len(set(ids))


def group_markers(copies: list[tuple[int, np.ndarray]]
                  ) -> tuple[list[Markers], list[tuple[int, np.ndarray]]]:
    """(the markers of each sheet they place, in reading order: left to right, or top to
    bottom when the sheets lie above each other; the markers no sheet took)."""
    by_id: dict[int, list[np.ndarray]] = {}
    for marker_id, quad in sorted(copies, key=lambda c: -_area(c[1])):
        if len(by_id.setdefault(marker_id, [])) < MAX_COPIES:
            by_id[marker_id].append(quad)
    groups: list[Markers] = []
    while (group := _best_set(by_id)) is not None:
        groups.append(group)
        for marker_id, quad in group.items():
            by_id[marker_id] = [q for q in by_id[marker_id] if q is not quad]
    left = [(marker_id, quad) for marker_id, quads in by_id.items() for quad in quads]
    return _reading_order(groups), left


def _best_set(by_id: dict[int, list[np.ndarray]]) -> Markers | None:
    """The set of one marker per id (three or four) that fits one sheet: the most markers,
    then the biggest."""
    ids = sorted(by_id)
    best, best_key = None, (0, 0.0)
    for choice in itertools.product(*[[None, *by_id[k]] for k in ids]):
        group = {k: q for k, q in zip(ids, choice, strict=True) if q is not None}
        if len(group) < 3:
            continue
        try:
            page_homography(group)
        except BraintankError:
            continue
        key = (len(group), sum(_area(q) for q in group.values()))
        if key > best_key:
            best, best_key = group, key
    return best


def _area(quad: np.ndarray) -> float:
    return float(cv2.contourArea(quad.astype(np.float32)))


def _reading_order(groups: list[Markers]) -> list[Markers]:
    if len(groups) < 2:
        return groups
    centres = np.array([np.concatenate(list(g.values())).mean(axis=0) for g in groups])
    axis = int(np.argmax(centres.max(axis=0) - centres.min(axis=0)))
    return [groups[i] for i in np.argsort(centres[:, axis], kind="stable")]


def stray_sheet(left: list[tuple[int, np.ndarray]]) -> int:
    """How many distinct corner markers of a sheet that could not be placed were left over
    (0 or 1: a stray marker, say of a scrap of paper, is no sheet)."""
    count = len({marker_id for marker_id, _ in left})
    return count if count >= 2 else 0
