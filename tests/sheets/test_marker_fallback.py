"""What phones do: corner markers under a thumb or a fold, a small page on a cluttered desk.

A page whose markers are hidden is placed by its box grid and read like any other; a page that
cannot be placed surely (grid cut off, code covered, no sheet at all) is refused with a reason
and yields no readings.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.sheets.locating import markers as markers_module
from braintank.sheets.locating.boxgrid import find_box_quads, group_lattices
from braintank.sheets.locating.gridfit import locate_by_grid
from braintank.sheets.locating.markers import detect_markers
from braintank.sheets.locating.rectify import boxes_in_image
from braintank.sheets.printing.layout import code_boxes, make_layout
from braintank.sheets.reading.reader import read_page
from braintank.sheets.simulating.simulate import degrade, fill_page, simulate_sheet
from braintank.sheets.simulating.simulate_mishaps import cover_markers, desk_photo


def _location_error(sheet, matrix: np.ndarray, layout) -> float:
    """Largest distance (page px) between where `matrix` puts box corners and the truth."""
    corners = np.array([[[x, y]] for c in layout.cells for x, y in
                        ((c.box[0], c.box[1]), (c.box[2], c.box[3]))], np.float64)
    back = cv2.perspectiveTransform(cv2.perspectiveTransform(corners, sheet.matrix), matrix)
    return float(np.abs(back - corners).max())


def _check_reading(reading, sheet, layout) -> None:
    """Every cell located; empty cells empty, written ones read as on a normal page."""
    got = {(c.row, c.col): c for c in reading.cells}
    assert sorted(got) == sorted(sheet.truth) and len(got) == len(layout.cells)
    for key, truth in sheet.truth.items():
        assert (got[key].status == "empty") == (truth is None), (key, got[key].reason)
    ok = [c for c in reading.cells if c.status == "ok"]
    written = sum(t is not None for t in sheet.truth.values())
    right = sum(c.digit == sheet.truth[(c.row, c.col)] for c in ok)
    # Floors any usable model clears on a normal page (test_read.py); a cell cut from the
    # wrong place reads as noise and would fall far below them.
    assert right >= 0.95 * len(ok)
    assert len(ok) >= 0.85 * written


@pytest.mark.parametrize("covered,style,angle", [
    ((22,), "thumb", 8.0),
    ((33, 44), "fold", -11.0),  # adjacent: both bottom markers
    ((11, 33), "mixed", 4.0),  # diagonal
    ((11, 22, 33, 44), "mixed", -6.0),  # all four: the grid alone
    ((11, 22), "thumb", 183.0),  # upside down, the two markers then at the bottom
])
def test_covered_markers_page_is_read(mnist_test, layout, classifier, covered, style, angle):
    images, labels = mnist_test
    rng = np.random.default_rng(sum(covered) + int(angle))
    sheet = simulate_sheet(layout, images, labels, rng, covered=covered, cover_style=style,
                           dpi=200, angle=angle)
    found = detect_markers(sheet.image)
    assert not set(found) & set(covered), "the simulated cover must really hide the marker"
    fit = locate_by_grid(sheet.image, found, None)
    assert fit.code == (layout.rows, layout.cols, layout.variant)
    assert _location_error(sheet, fit.matrix, layout) < 4.0
    _check_reading(read_page(sheet.image, classifier, layout), sheet, layout)


def test_marker_of_another_sheet_falls_back_on_the_grid(mnist_test, layout, classifier):
    """A bigger copy of a marker id in the photo (another sheet) wins over the page's own, so
    the markers no longer fit one sheet; the grid places the page and the stray is ignored."""
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(6), dpi=200,
                           angle=5.0)
    image = sheet.image.copy()
    own = detect_markers(image)[33]
    x0, y0 = own.min(axis=0).astype(int) - 8
    x1, y1 = own.max(axis=0).astype(int) + 8
    stray = cv2.resize(image[y0:y1, x0:x1], None, fx=1.4, fy=1.4)
    spot = cv2.perspectiveTransform(np.array([[[1100.0, 140.0]]]), sheet.matrix)[0, 0]
    sx, sy = spot.astype(int)
    image[sy:sy + stray.shape[0], sx:sx + stray.shape[1]] = stray  # over the title
    found = detect_markers(image)
    assert len(found) == 4 and np.abs(found[33] - own).max() > 100
    fit = locate_by_grid(image, found, None)
    assert _location_error(sheet, fit.matrix, layout) < 4.0
    _check_reading(read_page(image, classifier, layout), sheet, layout)


def test_small_page_on_cluttered_desk(mnist_test, layout, classifier):
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(5), desk=True)
    assert sheet.image.shape == (3000, 4000) and sheet.dpi < 175  # 25-35% of the width
    _check_reading(read_page(sheet.image, classifier, None), sheet, layout)


def test_desk_clutter_is_not_taken_for_the_grid(mnist_test, classifier):
    """Markers covered on a desk: the keyboard and the other sheet's boxes are lattices too,
    and only the code decides which one is the page."""
    images, labels = mnist_test
    layout = make_layout(6, 5, "Desk")
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(8), desk=True,
                           covered=(22, 44), cover_style="mixed")
    found = detect_markers(sheet.image)
    assert len(found) == 2
    fit = locate_by_grid(sheet.image, found, None)
    assert fit.code[:2] == (6, 5)
    assert _location_error(sheet, fit.matrix, layout) < 4.0
    _check_reading(read_page(sheet.image, classifier, None), sheet, layout)


def test_clutter_only_photo_is_refused(layout):
    _, image, _, _ = desk_photo(None, layout, np.random.default_rng(3))
    lattices = group_lattices(find_box_quads(image, 0.6))
    assert len(lattices[0].quads) >= 6, "the desk must hold box-like clutter to refuse"
    with pytest.raises(BraintankError, match="markers found.*box grid cannot place"):
        read_page(image, classifier=None)


def test_grid_cut_off_is_never_read_as_if_whole(mnist_test, layout, classifier):
    """Markers covered and the two right columns cut off: never read the rest as if whole.
    Without the layout, nothing says which grid this is (the code reads through no guess);
    told the layout, the reader places the page and lists the boxes cut off."""
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(11), covered=(33, 44),
                           dpi=200, angle=0.0)
    ninth = layout.cells[8].box
    edge = cv2.perspectiveTransform(np.array([[[ninth[0] - 20, 1500.0]]]), sheet.matrix)
    cut = np.ascontiguousarray(sheet.image[:, :int(edge[0, 0, 0])])
    with pytest.raises(BraintankError, match="code under it is unreadable"):
        read_page(cut, classifier=None)
    cells = read_page(cut, classifier, layout=layout).cells
    listed = {(c.row, c.col) for c in cells if c.reason == "not in the photo"}
    boxes = [c.box for c in layout.cells]
    whole, _ = boxes_in_image(np.linalg.inv(sheet.matrix), cut.shape, boxes)
    clear, _ = boxes_in_image(np.linalg.inv(sheet.matrix), cut.shape, boxes, 0.1)
    keys = [(c.row, c.col) for c in layout.cells]
    assert {(row, col) for row in range(1, 11) for col in (9, 10)} \
        <= {k for k, seen in zip(keys, whole, strict=True) if not seen}
    # Every box cut off is listed; so may be a box hugging the edge, none further in.
    assert {k for k, seen in zip(keys, whole, strict=True) if not seen} <= listed
    assert listed <= {k for k, seen in zip(keys, clear, strict=True) if not seen}
    assert all(c.status == "review" and c.digit is None for c in cells
               if (c.row, c.col) in listed)


def test_covered_code_is_refused(mnist_test, layout):
    """Grid visible but the layout code covered: no check of the grid's place, no reading."""
    images, labels = mnist_test
    rng = np.random.default_rng(12)
    page, _, _, _ = fill_page(layout, images, labels, rng)
    cover_markers(page, (11, 22), rng, layout, "thumb")
    strip = code_boxes()
    page[strip[0][1] - 30:strip[0][3] + 30, strip[8][0]:strip[16][2]] = 0.5
    _, image, _, _ = degrade(page, rng, dpi=200)
    with pytest.raises(BraintankError, match="code under it is unreadable"):
        read_page(image, classifier=None, layout=layout)


def test_other_template_is_refused_without_markers(mnist_test, layout):
    """With markers covered, a page of another template is still named, not forced into
    the layout given."""
    images, labels = mnist_test
    other = make_layout(5, 4, "Other")
    sheet = simulate_sheet(other, images, labels, np.random.default_rng(13), covered=(11, 44),
                           dpi=200)
    with pytest.raises(BraintankError, match="different template"):
        read_page(sheet.image, classifier=None, layout=layout)


def test_covered_markers_skip_the_full_size_search(mnist_test, layout, monkeypatch):
    """Markers big in the reduced copy: the missing ones are covered, not too small, so the
    seconds-long search of the full 300-dpi image is not run."""
    images, labels = mnist_test
    sheet = simulate_sheet(layout, images, labels, np.random.default_rng(14), covered=(11, 33),
                           dpi=300)
    scales = []
    real = markers_module._detect_at

    def spy(img, scale):
        scales.append(scale)
        return real(img, scale)

    monkeypatch.setattr(markers_module, "_detect_at", spy)
    assert sorted(detect_markers(sheet.image)) == [22, 44]
    assert scales and 1.0 not in scales


def _squares(places, side: float = 40.0, angle: float = 20.0) -> np.ndarray:
    """Quads [n, 4, 2] of squares at lattice `places` (pitch 1.25 sides), turned `angle`."""
    t = np.deg2rad(angle)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float64) * side
    return np.stack([(unit + np.array(p) * 1.25 * side) @ rot.T + 500 for p in places])


def test_strays_lining_up_with_the_grid_are_trimmed():
    """Keys of a keyboard three pitches beyond the grid, in line with it, join the lattice
    through the links that bridge missed boxes; they must not make it look larger."""
    grid = [(u, v) for u in range(10) for v in range(10) if (u, v) != (1, 3)]
    strays = [(12, v) for v in range(-4, 1)] + [(13, -4), (13, -3)]
    lattices = group_lattices(_squares(grid + strays))
    assert lattices[0].extent == (10, 10) and len(lattices[0].quads) == 99


@pytest.mark.parametrize("rows,cols", [(10, 10), (30, 16), (1, 1)])
def test_simulated_covers_spare_every_box(rows, cols):
    """The simulator's thumbs and folds hide markers only: a cover over a box would test
    something else (a box that cannot be read)."""
    from braintank.sheets.printing.template import render_array

    layout = make_layout(rows, cols, "Covers")
    page = render_array(layout).astype(np.float32) / 255.0
    before = page.copy()
    for seed in range(3):
        cover_markers(page, (11, 22, 33, 44), np.random.default_rng(seed), layout, "fold")
    changed = np.abs(page - before) > 1e-3
    boxes = [c.box for c in layout.cells] + code_boxes()
    assert not any(changed[y0:y1, x0:x1].any() for x0, y0, x1, y1 in boxes)
    assert not detect_markers((page * 255).astype(np.uint8))
