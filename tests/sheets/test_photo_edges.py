"""The edges of what a photo shows (issue 20, part 4): a photo that cuts off boxes is read for
every box it shows and lists the others for a person; a photo too small to read safely marks
nothing `ok`. Simulated photos through the real reader."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.sheets.locating.markers import detect_markers
from braintank.sheets.locating.rectify import boxes_in_image
from braintank.sheets.reading import reader
from braintank.sheets.reading.reader import NOT_IN_PHOTO, read_page
from braintank.sheets.simulating.simulate import simulate_sheet


def _check_cut_reading(reading, sheet, layout) -> None:
    """Every box cut off is listed for review as not in the photo (no guess); every box
    shown is read (only those hugging the photo's edge may be listed too), and no `ok` digit
    is wrong."""
    assert len(reading.cells) == len(sheet.truth)
    clear, _ = boxes_in_image(np.linalg.inv(sheet.matrix), sheet.image.shape,
                              [c.box for c in layout.cells], 2 * reader.EDGE_MARGIN)
    written = ok = 0
    for cell, well_inside in zip(reading.cells, clear, strict=True):
        key = (cell.row, cell.col)
        if key in sheet.outside or cell.reason == NOT_IN_PHOTO:
            assert (cell.status, cell.reason, cell.digit, cell.guess) == \
                ("review", NOT_IN_PHOTO, None, None), (key, cell.status, cell.reason)
            assert not well_inside, key
            continue
        truth = sheet.truth[key]
        if sheet.kinds[key] == "empty":
            assert cell.status == "empty", (key, cell.status, cell.reason)
        elif sheet.kinds[key] == "digit":
            written += 1
            assert cell.status != "empty", key
            if cell.status == "ok":
                ok += 1
                assert cell.digit == truth, (key, cell.digit, truth)
    assert ok >= 0.9 * written


@pytest.mark.parametrize("side,seed,markers", [("right", 3, 3), ("left", 4, 2), ("top", 5, 2)])
def test_cut_off_photo_reads_the_boxes_it_shows(mnist_test, layout, classifier, side, seed,
                                                markers):
    """One edge of the photo runs through the outermost boxes. The corner markers on that
    side are cut off too: with three left the markers place the page, with two the box grid
    does (and the code is checked either way)."""
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(seed), cut=side,
                           dpi=200)
    assert 5 <= len(sheet.outside) <= 20
    assert len(detect_markers(sheet.image)) == markers
    for given in (layout, None):
        reading = read_page(sheet.image, classifier, given)
        assert reading.layout_id == layout.layout_id
        _check_cut_reading(reading, sheet, layout)


def test_photo_cutting_off_the_layout_code_is_refused(mnist_test, layout, classifier):
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(6), cut="bottom",
                           dpi=200)
    for given in (layout, None):
        with pytest.raises(BraintankError, match="layout code under the grid is cut off"):
            read_page(sheet.image, classifier, given)


def _too_small(cell) -> bool:
    return cell.reason.endswith("px per box; take it closer") \
        and cell.reason.startswith("photo too small: ")


def test_low_resolution_page_marks_nothing_ok(mnist_test, layout, classifier):
    """At 60 dpi the boxes of a 10 x 10 template are about 31 photo pixels a side, under the
    floor: the page is placed and every box is looked at, but no cell is `ok`; written cells
    go to review saying how small the boxes were."""
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(8), dpi=60)
    _, px = boxes_in_image(np.linalg.inv(sheet.matrix), sheet.image.shape,
                           [c.box for c in layout.cells])
    assert px.max() < reader.MIN_BOX_PX
    reading = read_page(sheet.image, classifier, layout)
    assert not [c for c in reading.cells if c.status == "ok"]
    for cell, side in zip(reading.cells, px, strict=True):
        kind = sheet.kinds[(cell.row, cell.col)]
        if kind == "digit":
            assert cell.status == "review", (cell.row, cell.col, cell.status)
        if cell.status != "empty":
            assert _too_small(cell), cell.reason
            shown = int(cell.reason.split(": ")[1].split(" ")[0])
            assert abs(shown - side) <= 0.1 * side, (shown, side)
    # The same sheet at 150 dpi (about 78 px a box) is read as usual.
    sharp = simulate_sheet(layout, images, labels, np.random.default_rng(8), dpi=150)
    cells = read_page(sharp.image, classifier, layout).cells
    assert not any(_too_small(c) for c in cells)
    assert sum(c.status == "ok" for c in cells) >= 0.9 * sum(
        k == "digit" for k in sharp.kinds.values())
