"""Place a page by its box grid when the corner markers cannot (a thumb, a fold, a crop).

The boxes found in the photo form lattices (boxgrid). Each way a lattice could lie on a
template - its rows and columns, which way up - gives a homography, and the printed layout
code decides: a guess is kept only when the code read through it passes its checksum and
names the very size that was guessed. The homography is then refitted on every box corner in
the photo (and on any corner marker that was found) and must fit them closely; otherwise the
page is refused, since a wrong homography would read digits from the wrong places.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from braintank.errors import BraintankError
from braintank.sheets.locating.boxgrid import Lattice, find_box_quads, group_lattices
from braintank.sheets.locating.rectify import boxes_in_image, read_code_only
from braintank.sheets.printing.layout import (
    MAX_COLS,
    MAX_ROWS,
    Layout,
    code_boxes,
    grid_cells,
    marker_corners,
)

# Boxes are looked for on a copy no larger than this, then (if that fails) at full size.
WORK_MAX_SIDE = 2400
# Lattices tried, largest first: the page's grid, then clutter that lines up (a keyboard).
MAX_LATTICES = 6
# Boxes found on a copy coarser than this many page pixels per pixel are found again at full
# size around the page, for a closer fit.
SHARP_PX = 2.0
# A size named by the layout or a code is tried only where the lattice fits it this few ways.
MAX_PLACEMENTS = 24
# Lone square outlines tried as the box of a 1 x 1 sheet, largest first.
MAX_LONE_BOXES = 12
# Corner fit, in 300-dpi page pixels. The cell reader finds each frame line within 8 px of
# where the homography puts it, so the fit must be well inside that.
RANSAC_PX = 8.0
MAX_MEDIAN_ERROR_PX = 2.5
MAX_P90_ERROR_PX = 5.0
# At least this share of the template's boxes must be found and fit (digits crossing a frame
# hide it from the box finder, so not all of them).
MIN_BOX_SHARE = 0.5


@dataclass
class GridFit:
    """Where the page lies: `matrix` maps image pixels to template page pixels."""

    matrix: np.ndarray
    code: tuple[int, int, int]
    boxes_fitted: int
    boxes_total: int
    median_error_px: float
    p90_error_px: float
    coarse_px: float  # page pixels per pixel of the copy the boxes were found in


class GridNotFound(BraintankError):
    """No box grid could place the page; the message says why."""


def locate_by_grid(grey: np.ndarray, markers: dict[int, np.ndarray],
                   layout: Layout | None = None) -> GridFit:
    """The page's homography from its box grid, checked by the layout code and the corners."""
    side = max(grey.shape[:2])
    first = min(1.0, WORK_MAX_SIDE / side)
    reason, seen_code = "no grid of writing boxes found", False
    marker_image, marker_page = _marker_pairs(markers)
    sizes = [(layout.rows, layout.cols)] if layout is not None else []
    sizes += _sizes_named_through_markers(grey, marker_image, marker_page)
    for scale in (first, 1.0) if first < 1.0 else (first,):
        quads = find_box_quads(grey, scale)
        lattices = group_lattices(quads)
        grids = [lat for lat in lattices if len(lat.quads) >= 2][:MAX_LATTICES]
        if grids and not seen_code:
            reason = (f"{len(grids[0].quads)} writing boxes found in a grid, but the layout "
                      "code under it is unreadable through them")
        lone = [lat for lat in lattices if len(lat.quads) == 1][:MAX_LONE_BOXES]
        for lattice in grids + lone:
            guesses = _guesses(lattice, sizes)
            for guess in guesses:  # grows when a code names a size not guessed yet
                # Markers found help a small grid place the code strip far below it.
                image, page = guess.correspondences(lattice)
                matrix = _fit(np.concatenate([image, marker_image]),
                              np.concatenate([page, marker_page]), RANSAC_PX * 1.5)
                if matrix is None:
                    continue
                code = read_code_only(grey, matrix)
                if code is None:
                    continue
                if code[:2] != (guess.rows, guess.cols):
                    # Read through a near miss (or the markers): try the size it names.
                    guesses += [g for g in _guesses(lattice, [code[:2]], only_sizes=True)
                                if g not in guesses]
                    continue
                try:
                    fit = _refine(quads, markers, matrix, code, scale)
                except GridNotFound as exc:  # the code reads: this is the page, badly seen
                    reason, seen_code = str(exc), True
                    break
                return _sharpen(grey, fit, markers) if scale < 1.0 else fit
    raise GridNotFound(reason)


def _sharpen(grey: np.ndarray, fit: GridFit, markers: dict[int, np.ndarray]) -> GridFit:
    """Refit on the boxes found at full size around the page, when the reduced copy was too
    coarse to place them within SHARP_PX (a small page in a big photo)."""
    if fit.coarse_px <= SHARP_PX:
        return fit
    rows, cols, _ = fit.code
    boxes = np.array([c.box for c in grid_cells(rows, cols)], np.float64)
    corners = _box_corners(boxes).reshape(-1, 1, 2)
    in_image = cv2.perspectiveTransform(corners, np.linalg.inv(fit.matrix)).reshape(-1, 2)
    low, high = in_image.min(axis=0), in_image.max(axis=0)
    margin = 0.05 * (high - low)
    h, w = grey.shape[:2]
    x0, y0 = np.maximum(np.floor(low - margin), 0).astype(int)
    x1, y1 = np.minimum(np.ceil(high + margin), (w, h)).astype(int)
    quads = find_box_quads(grey[y0:y1, x0:x1], 1.0) + np.array([x0, y0], np.float64)
    try:
        return _refine(quads, markers, fit.matrix, fit.code, 1.0)
    except GridNotFound:
        return fit


def _sizes_named_through_markers(grey: np.ndarray, image: np.ndarray,
                                 page: np.ndarray) -> list[tuple[int, int]]:
    """The (rows, cols) that the code names when read through two markers alone, if it reads.

    Two markers place the page too loosely to read it by, but often well enough for the code
    to say which grid to look for (when boxes at the grid's edges were missed, the lattice
    alone does not say)."""
    codes = [read_code_only(grey, m) for m in _rough_placements(image, page)]
    return list(dict.fromkeys(c[:2] for c in codes if c is not None))


def _rough_placements(image: np.ndarray, page: np.ndarray) -> list[np.ndarray]:
    """Maps (image -> page) fitted on the corners of two or more markers: a homography and
    an affine map, each only roughly right with two markers."""
    if len(image) < 8:
        return []
    affine, _ = cv2.estimateAffine2D(image, page)
    guesses = [cv2.findHomography(image, page, 0)[0],
               None if affine is None else np.vstack([affine, [0, 0, 1]])]
    return [m for m in guesses if m is not None]


def code_cut_off(grey: np.ndarray, markers: dict[int, np.ndarray]) -> bool:
    """Whether the markers found (two or more) put the layout code outside the photo, however
    roughly they place the page: then no placement can be checked by it."""
    placements = _rough_placements(*_marker_pairs(markers))
    return bool(placements) and not any(
        boxes_in_image(m, grey.shape, code_boxes())[0].all() for m in placements)


def _marker_pairs(markers: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(image points, page points) of the corners of the markers found."""
    template = marker_corners()
    image = [np.asarray(markers[k], np.float64).reshape(4, 2) for k in sorted(markers)]
    page = [np.asarray(template[k], np.float64) for k in sorted(markers)]
    if not image:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(image), np.concatenate(page)


@dataclass(frozen=True)
class _Guess:
    """A lattice laid on a template of rows x cols, turned `turn` quarter turns, with its
    (0, 0) box at (col0, row0) (from 0)."""

    rows: int
    cols: int
    turn: int
    col0: int
    row0: int

    def correspondences(self, lattice: Lattice) -> tuple[np.ndarray, np.ndarray]:
        """(image points, page points) of every box corner of the lattice."""
        u, v = lattice.coords[:, 0], lattice.coords[:, 1]
        col, row = [(u, v), (v, -u), (-u, -v), (-v, u)][self.turn]
        col = col - col.min() + self.col0
        row = row - row.min() + self.row0
        boxes = np.array([c.box for c in grid_cells(self.rows, self.cols)], np.float64)
        picked = boxes[row * self.cols + col]
        page = _box_corners(picked)
        # Page corner t (top-left, top-right, ...) is lattice corner (turn + t).
        image = lattice.quads[:, (self.turn + np.arange(4)) % 4]
        return image.reshape(-1, 2), page.reshape(-1, 2)


def _box_corners(boxes: np.ndarray) -> np.ndarray:
    """[n, 4, 2] corners (top-left, top-right, bottom-right, bottom-left) of [n, 4] boxes."""
    x0, y0, x1, y1 = boxes.T
    return np.stack([np.stack([x0, y0], 1), np.stack([x1, y0], 1),
                     np.stack([x1, y1], 1), np.stack([x0, y1], 1)], axis=1)


def _guesses(lattice: Lattice, sizes: list[tuple[int, int]],
             only_sizes: bool = False) -> list[_Guess]:
    """Every placement worth a code read: the lattice as the whole grid first, then grids one
    row or column larger (an edge line of boxes missed), then grids of the (rows, cols)
    `sizes` (the layout given, a size a code named) where the lattice fits few ways."""
    wide, tall = lattice.extent
    if len(lattice.quads) == 1:  # a lone box: only a 1 x 1 sheet, or too many guesses
        return [_Guess(1, 1, turn, 0, 0) for turn in range(4)] if not only_sizes else []
    plans = []
    if not only_sizes:
        for grow_cols, grow_rows in ((0, 0), (1, 0), (0, 1), (1, 1)):
            for turn in range(4):
                cols, rows = (wide, tall) if turn % 2 == 0 else (tall, wide)
                plans.append((turn, rows + grow_rows, cols + grow_cols, True))
    plans += [(turn, rows, cols, False) for rows, cols in sizes for turn in range(4)]
    out: list[_Guess] = []
    for turn, rows, cols, always in plans:
        cols_here, rows_here = (wide, tall) if turn % 2 == 0 else (tall, wide)
        ways = (cols - cols_here + 1) * (rows - rows_here + 1)
        if not (1 <= rows <= MAX_ROWS and 1 <= cols <= MAX_COLS) or ways < 1 \
                or (not always and ways > MAX_PLACEMENTS):
            continue
        out += [g for col0 in range(cols - cols_here + 1) for row0 in range(rows - rows_here + 1)
                if (g := _Guess(rows, cols, turn, col0, row0)) not in out]
    return out


def _fit(image: np.ndarray, page: np.ndarray, tolerance: float) -> np.ndarray | None:
    if len(image) < 4:
        return None
    matrix, _ = cv2.findHomography(image.astype(np.float64), page.astype(np.float64),
                                   cv2.RANSAC, tolerance)
    return matrix


def _match_boxes(quads: np.ndarray, matrix: np.ndarray,
                 boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pair quads found in the photo with the template boxes they fall on, through `matrix`.

    Returns (image corners [k, 4, 2], page corners [k, 4, 2], box index [k]), corners in the
    same order.
    """
    if not len(quads):
        return np.zeros((0, 4, 2)), np.zeros((0, 4, 2)), np.zeros(0, int)
    on_page = cv2.perspectiveTransform(quads.reshape(-1, 1, 2), matrix).reshape(-1, 4, 2)
    centres = on_page.mean(axis=1)
    box_centres = 0.5 * (boxes[:, :2] + boxes[:, 2:])
    size = float(boxes[0, 2] - boxes[0, 0])
    gaps = np.linalg.norm(centres[:, None, :] - box_centres[None, :, :], axis=2)
    nearest = gaps.argmin(axis=1)
    sides = np.linalg.norm(on_page - np.roll(on_page, -1, axis=1), axis=2).mean(axis=1)
    ok = (gaps[np.arange(len(quads)), nearest] < 0.2 * size) \
        & (sides > 0.8 * size) & (sides < 1.25 * size)
    # Through a right homography a box is upright on the page: its top-left corner is the one
    # with the smallest x + y. Corners keep their turning order.
    rel = on_page - centres[:, None, :]
    first = np.argmin(rel[..., 0] + rel[..., 1], axis=1)
    order = (first[:, None] + np.arange(4)[None, :]) % 4
    image = np.take_along_axis(quads, order[:, :, None], axis=1)[ok]
    return image, _box_corners(boxes[nearest[ok]]), nearest[ok]


def _refine(quads: np.ndarray, markers: dict[int, np.ndarray], matrix: np.ndarray,
            code: tuple[int, int, int], scale: float) -> GridFit:
    """Refit on every box corner that the first guess explains, and check the fit.

    `scale`: the size at which the quads were found; a corner there is known to a pixel of
    that copy, which the error limits allow for.
    """
    rows, cols, _ = code
    boxes = np.array([c.box for c in grid_cells(rows, cols)], np.float64)
    marker_image, marker_page = _marker_pairs(markers)
    for _ in range(2):
        image, page, _ = _match_boxes(quads, matrix, boxes)
        refined = _fit(np.concatenate([image.reshape(-1, 2), marker_image]),
                       np.concatenate([page.reshape(-1, 2), marker_page]), RANSAC_PX)
        if refined is None:
            break
        matrix = refined
    image, page, which = _match_boxes(quads, matrix, boxes)
    total = len(boxes)
    if len(image) == 0:
        raise GridNotFound("the layout code reads but no writing box fits the grid")
    errors = _errors(image, page, matrix)  # [k, 4]
    fitted = len(np.unique(which[errors.max(axis=1) <= RANSAC_PX]))
    needed = int(np.ceil(MIN_BOX_SHARE * total))
    if fitted < needed:
        raise GridNotFound(f"only {fitted} of {total} writing boxes found where the layout "
                           f"code puts them (at least {needed} needed)")
    good = errors[errors.max(axis=1) <= RANSAC_PX].ravel()
    median, p90 = float(np.median(good)), float(np.percentile(good, 90))
    # Page pixels per pixel of the copy the corners were found in.
    sides = np.linalg.norm(image - np.roll(image, -1, axis=1), axis=2).mean()
    coarse = float(boxes[0, 2] - boxes[0, 0]) / (sides * scale)
    if median > max(MAX_MEDIAN_ERROR_PX, coarse) or p90 > max(MAX_P90_ERROR_PX, 2 * coarse):
        raise GridNotFound(f"the writing boxes do not fit one flat sheet (corners off by "
                           f"{median:.1f} px typically, {p90:.1f} px at worst)")
    return GridFit(matrix=matrix, code=code, boxes_fitted=fitted, boxes_total=total,
                   median_error_px=median, p90_error_px=p90, coarse_px=coarse)


def _errors(image: np.ndarray, page: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    projected = cv2.perspectiveTransform(image.reshape(-1, 1, 2), matrix).reshape(page.shape)
    return np.linalg.norm(projected - page, axis=2)
