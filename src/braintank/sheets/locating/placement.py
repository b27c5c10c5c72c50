"""Where the page lies in the photo: corner markers, else the printed box grid, checked by the
layout code printed on the page."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from braintank.errors import BraintankError
from braintank.sheets.locating.gridfit import GridNotFound, code_cut_off, locate_by_grid
from braintank.sheets.locating.markers import detect_markers, to_uint8
from braintank.sheets.locating.rectify import (
    PageInk,
    boxes_in_image,
    page_homography,
    read_code,
    warp_page,
)
from braintank.sheets.printing.layout import Layout, code_boxes, layout_for_code

CODE_CUT_OFF = ("the layout code under the grid is cut off by the photo's edge, so the page "
                "cannot be checked; photograph the whole grid and the code below it")


@dataclass
class Placement:
    """A page put back into the template's frame: `matrix` maps photo to page pixels."""

    page: np.ndarray
    ink: PageInk
    code: tuple[int, int, int]
    matrix: np.ndarray


def _marker_homography(grey: np.ndarray, found: dict[int, np.ndarray]
                       ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The map from image to template pixels fitted on the corner markers, and the markers.

    Heavy pixel noise frays the markers' edges, so that they are missed or their corners
    found off by pixels; a smoothed copy of the image is tried before giving up.
    """
    try:
        return page_homography(found), found
    except BraintankError:
        smoothed = cv2.GaussianBlur(cv2.medianBlur(to_uint8(grey), 5), (0, 0), 1.5)
        again = detect_markers(smoothed)
        if len(again) < max(len(found), 3):
            raise
        return page_homography(again), again


def rectify(grey: np.ndarray, layout: Layout | None = None,
            markers: dict[int, np.ndarray] | None = None, grid: bool = True) -> Placement:
    """The page in template pixels, its ink, the (rows, cols, variant) printed on it, and
    where it lies in the photo.

    The corner markers place the page when three or four are found and the layout code reads
    through them. Otherwise (markers covered or cut off, a marker of another sheet) the box
    grid places it, checked by the code and by how well the box corners fit; `layout`, when
    given, adds its size to the guesses. A page no method places is refused with the reasons;
    so is one whose layout code the photo cuts off (nothing could check what page it is).
    Boxes that the photo cuts off are the reader's to list, not a reason to refuse the page.

    `markers`: the markers of this sheet, when the photo holds several (else they are found
    here); `grid=False` refuses rather than place the page by its box grid (with several
    sheets in the photo, another sheet's grid would answer to the same code).
    """
    found = detect_markers(grey) if markers is None else markers
    try:
        matrix, found = _marker_homography(grey, found)
    except BraintankError as exc:
        problem = str(exc).split(" (")[0]
    else:
        page = warp_page(grey, matrix)
        ink = PageInk(page)
        code = read_code(ink)
        if code is not None:
            return Placement(page, ink, code, matrix)
        if not boxes_in_image(matrix, grey.shape, code_boxes())[0].all():
            raise BraintankError(CODE_CUT_OFF)
        problem = "corner markers found but the layout code under the grid is unreadable"
    if not grid:
        raise BraintankError(f"{problem} (another sheet in the photo: photograph each on its "
                             "own)")
    try:
        fit = locate_by_grid(grey, found, layout)
    except GridNotFound as exc:
        if code_cut_off(grey, found):
            raise BraintankError(CODE_CUT_OFF) from None
        raise BraintankError(f"{problem}, and the box grid cannot place the page either: {exc} "
                             "(not a braintank sheet, a blank page, or too much of it covered "
                             "or cut off)") from None
    page = warp_page(grey, fit.matrix)
    ink = PageInk(page)
    code = read_code(ink)
    if code != fit.code:
        raise BraintankError(f"{problem}, and the layout code read through the box grid "
                             "does not read the same on the whole page (page bent or torn?)")
    return Placement(page, ink, code, fit.matrix)


def resolve_layout(code: tuple[int, int, int], layout: Layout | None) -> Layout:
    """The layout to read with; a page of another template is an error, not a misread."""
    rows, cols, variant = code
    if layout is None:
        return layout_for_code(rows, cols, variant)
    if (rows, cols, variant) != (layout.rows, layout.cols, layout.variant):
        found = layout_for_code(rows, cols, variant).layout_id
        raise BraintankError(f"page is template {found}, but the layout given is "
                             f"{layout.layout_id} (a different template)")
    return layout
