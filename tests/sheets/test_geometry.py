"""Simulated photos: markers found at any rotation, every cell located, empty vs written right.

No classifier involved: this checks the sheet geometry against the simulator's truth.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.sheets.locating.markers import detect_markers
from braintank.sheets.locating.placement import rectify, resolve_layout
from braintank.sheets.locating.rectify import page_homography
from braintank.sheets.reading.reader import cut_cells
from braintank.sheets.simulating.simulate import simulate_sheet


def _location_error(sheet, layout) -> float:
    """Largest distance (page px) between where the reader puts cell corners and the truth."""
    found = page_homography(detect_markers(sheet.image))
    corners = np.array([[[x, y]] for c in layout.cells for x, y in
                        ((c.box[0], c.box[1]), (c.box[2], c.box[3]))], np.float64)
    in_image = cv2.perspectiveTransform(corners, sheet.matrix)
    back = cv2.perspectiveTransform(in_image, found)
    return float(np.abs(back - corners).max())


@pytest.mark.parametrize("dpi,angle", [(150, -14.0), (300, 6.0), (450, 185.0)])
def test_cells_located_and_judged(mnist_test, layout, rng, dpi, angle):
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, rng, empty_rate=0.2, dpi=dpi, angle=angle)
    assert _location_error(sheet, layout) < 4.0
    placed = rectify(sheet.image)
    assert placed.code == (layout.rows, layout.cols, layout.variant)
    cuts = cut_cells(placed.page, placed.ink, resolve_layout(placed.code, layout))
    assert len(cuts) == len(layout.cells)
    for cell, cut in zip(layout.cells, cuts, strict=True):
        written = sheet.truth[(cell.row, cell.col)] is not None
        assert (cut.state != "empty") == written, (cell, cut.state, cut.reason)
    states = [c.state for c in cuts if c.state != "empty"]
    assert states.count("review") <= 0.1 * len(states)


def test_odd_marks_go_to_review(mnist_test, layout, rng):
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, rng, empty_rate=0.0, special_rate=1.0,
                           dpi=250)
    placed = rectify(sheet.image)
    cuts = cut_cells(placed.page, placed.ink, resolve_layout(placed.code, layout))
    states = [c.state for c in cuts]
    assert "empty" not in states
    assert states.count("review") >= 0.9 * len(states)


def test_three_markers_are_enough(mnist_test, layout, rng):
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, rng, dpi=200, angle=0.0)
    image = sheet.image.copy()
    found = detect_markers(image)
    x0, y0 = found[33].min(axis=0).astype(int) - 5
    x1, y1 = found[33].max(axis=0).astype(int) + 5
    image[y0:y1, x0:x1] = 200  # a thumb over the bottom-right marker
    assert 33 not in detect_markers(image)
    assert rectify(image).code == (layout.rows, layout.cols, layout.variant)


def test_blank_page_is_refused():
    blank = np.full((1200, 900), 235, np.uint8)
    with pytest.raises(BraintankError, match="markers found"):
        rectify(blank)


def test_other_template_is_refused(mnist_test, rng):
    from braintank.sheets.printing.layout import make_layout

    images, labels = mnist_test
    other = make_layout(5, 4, "Other")
    sheet = simulate_sheet(other, images, labels, rng, dpi=200)
    code = rectify(sheet.image).code
    with pytest.raises(BraintankError, match="different template"):
        resolve_layout(code, make_layout(10, 10, "Test sheet"))
    assert resolve_layout(code, None).layout_id == other.layout_id
