"""Find the printed writing boxes in a photo and group them into lattices.

The boxes are square frames of thin grey lines, laid out by `layout.grid_cells` with a pitch
of 1.25 box sides on every template. Here they are found without any help from the corner
markers: dark lines -> closed outlines -> four-sided, square-ish outlines -> neighbours whole
pitches apart along the box's own sides -> lattices with integer coordinates. What a lattice
is (which template, which way up) is decided elsewhere, by the printed layout code.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from braintank.sheets.locating.markers import to_uint8

# Box pitch / box side: round(p) / (round(p) - round(0.2 p)) in layout.grid_cells.
PITCH_RATIO = 1.25
# A neighbour's centre may sit this share of a box side away from where the pitch puts it.
NEIGHBOUR_SLACK = 0.2
# Neighbours are looked for up to this many pitches away, across boxes the finder missed
# (a digit written across a frame hides it).
MAX_STEPS = 3
# Edge rows or columns of a lattice holding fewer than this share of the fullest line are
# dropped as strays (a key or a square of clutter that happens to line up with the grid).
STRAY_LINE_SHARE = 0.34
MIN_SIDE_PX = 10


@dataclass
class Lattice:
    """Boxes that sit on one regular grid.

    `quads` [n, 4, 2] are image pixels, in the order that puts corner k at lattice corner
    (k: 0 = -u-v, 1 = +u-v, 2 = +u+v, 3 = -u+v); `coords` [n, 2] their integer (u, v) places,
    starting at 0. u and v are the lattice's axes in the photo, v a quarter turn from u in the
    page's own sense, so a photo (never mirrored) maps them onto the page by a rotation alone.
    """

    quads: np.ndarray
    coords: np.ndarray

    @property
    def extent(self) -> tuple[int, int]:
        return int(self.coords[:, 0].max()) + 1, int(self.coords[:, 1].max()) + 1


def find_box_quads(grey: np.ndarray, scale: float) -> np.ndarray:
    """Square-ish four-sided outlines [n, 4, 2] in `grey`'s pixels, found at `scale` (<= 1).

    Corners go round in the page's sense (top-left, top-right, ... of an upright box). An
    outline inside another one (a written "0" inside its box) is dropped.
    """
    img = to_uint8(grey)
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1.0 else img
    # Thin grey lines stand out against the paper around them, whatever the light. The slight
    # blur first keeps sensor noise from becoming thousands of specks (and slow contours).
    smooth = cv2.GaussianBlur(small, (3, 3), 0)
    dark = cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY_INV, 21, 8)
    contours, hierarchy = cv2.findContours(dark, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return np.zeros((0, 4, 2))
    parents = hierarchy[0][:, 3]
    max_side = 0.4 * max(small.shape)
    quads: dict[int, np.ndarray] = {}
    for index, contour in enumerate(contours):
        if len(contour) < 4:
            continue
        _, _, w, h = cv2.boundingRect(contour)
        if max(w, h) > max_side or min(w, h) < MIN_SIDE_PX:
            continue
        quad = _square_outline(contour)
        if quad is not None:
            quads[index] = quad
    kept = [q for i, q in quads.items() if not _inside_another(i, parents, quads)]
    if not kept:
        return np.zeros((0, 4, 2))
    return (np.stack(kept) + 0.5) / scale - 0.5


def _inside_another(index: int, parents: np.ndarray, quads: dict) -> bool:
    parent = parents[index]
    while parent >= 0:
        if parent in quads:
            return True
        parent = parents[parent]
    return False


def _square_outline(contour: np.ndarray) -> np.ndarray | None:
    """The outline's four corners when it is a square seen in a photo, else None."""
    perimeter = cv2.arcLength(contour, True)
    approx = cv2.approxPolyDP(contour, 0.05 * perimeter, True)
    if len(approx) != 4 or not cv2.isContourConvex(approx):
        return None
    corners = approx.reshape(4, 2).astype(np.float64)
    sides = np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)
    if sides.max() > 1.4 * sides.min():
        return None
    diagonals = (np.linalg.norm(corners[2] - corners[0]), np.linalg.norm(corners[3] - corners[1]))
    if max(diagonals) > 1.3 * min(diagonals):
        return None
    area = abs(cv2.contourArea(contour))
    if not 0.85 <= area / max(abs(cv2.contourArea(approx)), 1.0) <= 1.15:
        return None
    if _signed_area(corners) < 0:
        corners = corners[::-1].copy()
    return corners


def _signed_area(corners: np.ndarray) -> float:
    x, y = corners[:, 0], corners[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def group_lattices(quads: np.ndarray) -> list[Lattice]:
    """The quads grouped by the regular grids they sit on, the largest grid first (a lone
    quad is a grid of one: a 1 x 1 sheet has nothing else)."""
    n = len(quads)
    if n == 0:
        return []
    centres = quads.mean(axis=1)
    axis_u = 0.5 * ((quads[:, 1] - quads[:, 0]) + (quads[:, 2] - quads[:, 3]))
    axis_v = 0.5 * ((quads[:, 3] - quads[:, 0]) + (quads[:, 2] - quads[:, 1]))
    # The four directions of each box, a quarter turn apart: +u, +v, -u, -v.
    directions = np.stack([axis_u, axis_v, -axis_u, -axis_v], axis=1)  # [n, 4, 2]
    sides = 0.5 * (np.linalg.norm(axis_u, axis=1) + np.linalg.norm(axis_v, axis=1))
    neighbours = _neighbours(centres, directions, sides)
    seen = np.zeros(n, bool)
    lattices = []
    for seed in np.argsort(-sides):  # the largest first, so lone boxes come biggest first
        if not seen[seed]:
            lattices.append(_as_lattice(quads, _walk(seed, neighbours, directions, seen)))
    lattices.sort(key=lambda lat: -len(lat.quads))  # stable: ties keep the size order
    return [_trim(lat) for lat in lattices]


def _neighbours(centres, directions, sides) -> list[list[tuple[int, int, int]]]:
    """For each quad, (direction k, steps m, quad j) of the boxes m pitches away along its
    sides, the nearest (m = 1) first."""
    order = np.argsort(centres[:, 0])
    xs = centres[order, 0]
    found = []
    for steps in range(1, MAX_STEPS + 1):
        reach = NEIGHBOUR_SLACK * sides * (1.0 if steps == 1 else 1.5)
        for k in range(4):
            spots = centres + steps * PITCH_RATIO * directions[:, k]
            # Candidates from a sorted search by x, then the full test on those alone.
            lo = np.searchsorted(xs, spots[:, 0] - reach)
            hi = np.searchsorted(xs, spots[:, 0] + reach)
            counts = hi - lo
            i = np.repeat(np.arange(len(centres)), counts)
            starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
            j = order[starts + np.arange(counts.sum())]
            ratio = sides[j] / sides[i]
            near = np.linalg.norm(centres[j] - spots[i], axis=1) < reach[i]
            keep = near & (ratio > 0.8) & (ratio < 1.25) & (i != j)
            found.append(np.stack([i[keep], np.full(keep.sum(), k),
                                   np.full(keep.sum(), steps), j[keep]], axis=1))
    out: list[list[tuple[int, int, int]]] = [[] for _ in range(len(centres))]
    for i, k, steps, j in np.concatenate(found).tolist():
        out[i].append((k, steps, j))
    return out


_UNIT_STEPS = ((1, 0), (0, 1), (-1, 0), (0, -1))


def _walk(seed: int, neighbours, directions, seen) -> list[tuple[int, int, int, int]]:
    """Breadth-first over neighbours: (quad, turn, u, v) with the quad's direction `turn`
    being the lattice's +u."""
    seen[seed] = True
    members = [(int(seed), 0, 0, 0)]
    taken = {(0, 0)}
    queue = deque(members)
    while queue:
        i, turn, u, v = queue.popleft()
        axis = directions[i, turn]
        for k, steps, j in neighbours[i]:
            if seen[j]:
                continue
            du, dv = _UNIT_STEPS[(k - turn) % 4]
            place = (u + steps * du, v + steps * dv)
            if place in taken:
                continue
            seen[j] = True
            taken.add(place)
            member = (j, int(np.argmax(directions[j] @ axis)), *place)
            members.append(member)
            queue.append(member)
    return members


def _as_lattice(quads: np.ndarray, members) -> Lattice:
    index = np.array([m[0] for m in members])
    turns = np.array([m[1] for m in members])
    coords = np.array([(m[2], m[3]) for m in members])
    # Corner k of the quad sits at direction (turn + k): reorder so corner 0 is at -u-v.
    order = (turns[:, None] + np.arange(4)[None, :]) % 4
    ordered = np.take_along_axis(quads[index], order[:, :, None], axis=1)
    return Lattice(quads=ordered, coords=coords - coords.min(axis=0))


def _trim(lattice: Lattice) -> Lattice:
    """Drop strays that happen to line up with the grid: lines of boxes beyond an empty line
    (the smaller side of the gap), then sparse edge lines, until nothing changes."""
    keep = np.ones(len(lattice.coords), bool)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            values = lattice.coords[:, axis]
            counts = np.bincount(values[keep] - values[keep].min())
            drop = _beyond_gap(counts) | _sparse_edges(counts)
            if drop.any():
                dropped = np.flatnonzero(drop) + values[keep].min()
                keep &= ~np.isin(values, dropped)
                changed = True
    coords = lattice.coords[keep]
    return Lattice(quads=lattice.quads[keep], coords=coords - coords.min(axis=0))


def _beyond_gap(counts: np.ndarray) -> np.ndarray:
    """Lines cut off by an empty line from a part of the lattice far larger than theirs."""
    part = np.cumsum(counts == 0)  # lines between the same empty lines share a number
    sizes = np.bincount(part, weights=counts)
    return (counts > 0) & (sizes[part] < STRAY_LINE_SHARE * sizes.max())


def _sparse_edges(counts: np.ndarray) -> np.ndarray:
    """The first or last line when it holds few boxes next to the fullest line."""
    drop = np.zeros(len(counts), bool)
    if len(counts) >= 2:
        limit = STRAY_LINE_SHARE * counts.max()
        drop[0] = counts[0] < limit
        drop[-1] = drop[-1] or counts[-1] < limit
    return drop
