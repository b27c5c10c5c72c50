"""Read one page: markers (or the box grid) -> homography -> layout code -> cells -> MNIST-style
ink -> digits."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from braintank.errors import BraintankError
from braintank.sheets import noise
from braintank.sheets.cells import CellCut, cut_cell
from braintank.sheets.gridfit import GridNotFound, locate_by_grid
from braintank.sheets.layout import Layout, grid_cells, layout_for_code
from braintank.sheets.markers import detect_markers, to_uint8
from braintank.sheets.rectify import (
    PageInk,
    boxes_outside,
    page_homography,
    read_code,
    warp_page,
)


@dataclass
class CellReading:
    """One cell's result; `digit` is set only when `status` is 'ok'."""

    row: int
    col: int
    digit: int | None
    confidence: float
    status: str  # ok | review | empty
    reason: str
    guess: int | None = None  # the model's best digit, shown to the reviewer
    probabilities: list[float] = field(default_factory=list)
    crop: np.ndarray | None = None  # uint8 grey view of the cell
    # The 28x28 float image the network judged alone (a cell holding one mark), kept so a
    # person's answer can become a training example (`braintank finetune`); else None.
    input28: np.ndarray | None = None


@dataclass
class PageReading:
    layout_id: str
    cells: list[CellReading]


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


def rectify(grey: np.ndarray, layout: Layout | None = None
            ) -> tuple[np.ndarray, PageInk, tuple[int, int, int]]:
    """The page in template pixels, its ink, and the (rows, cols, variant) printed on it.

    The corner markers place the page when three or four are found and the layout code reads
    through them. Otherwise (markers covered or cut off, a marker of another sheet) the box
    grid places it, checked by the code and by how well the box corners fit; `layout`, when
    given, adds its size to the guesses. A page no method places is refused with the reasons.
    """
    found = detect_markers(grey)
    try:
        matrix, found = _marker_homography(grey, found)
    except BraintankError as exc:
        problem = str(exc).split(" (")[0]
    else:
        page = warp_page(grey, matrix)
        ink = PageInk(page)
        code = read_code(ink)
        if code is not None:
            _refuse_cut_off(grey, matrix, code)
            return page, ink, code
        problem = "corner markers found but the layout code under the grid is unreadable"
    try:
        fit = locate_by_grid(grey, found, layout)
    except GridNotFound as exc:
        raise BraintankError(f"{problem}, and the box grid cannot place the page either: {exc} "
                             "(not a braintank sheet, a blank page, or too much of it covered "
                             "or cut off)") from None
    page = warp_page(grey, fit.matrix)
    ink = PageInk(page)
    code = read_code(ink)
    if code != fit.code:
        raise BraintankError(f"{problem}, and the layout code read through the box grid "
                             "does not read the same on the whole page (page bent or torn?)")
    _refuse_cut_off(grey, fit.matrix, code)
    return page, ink, code


def _refuse_cut_off(grey: np.ndarray, matrix: np.ndarray, code: tuple[int, int, int]) -> None:
    """A box outside the photo would read as empty paper: refuse the page instead."""
    boxes = [c.box for c in grid_cells(code[0], code[1])]
    outside = boxes_outside(matrix, grey.shape, boxes)
    if outside:
        raise BraintankError(f"{outside} of {len(boxes)} writing boxes lie outside the photo "
                             "(page cut off); photograph the whole grid")


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


def cut_cells(page: np.ndarray, ink: PageInk, layout: Layout) -> list[CellCut]:
    """Every cell of the layout, cut and judged."""
    boxes = [c.box for c in layout.cells]
    pitch = min((b[0] - a[2] for a, b in zip(boxes, boxes[1:], strict=False)
                 if b[0] > a[2]), default=40)
    margin = max(pitch // 2 - 2, 4)
    every = np.array(boxes, np.int64)
    return [cut_cell(page, ink, box, margin, every) for box in boxes]


WORK_SIDE = 80


def _shrink(ink: np.ndarray) -> np.ndarray:
    """The cell at most WORK_SIDE px a side: the 28x28 step needs no more, and costs far less.

    The whole cell is kept (not just the ink's box): the preprocessing fits the background
    on the paper around the digit.
    """
    scale = WORK_SIDE / max(ink.shape)
    if scale >= 1:
        return ink
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    return cv2.resize(ink, size, interpolation=cv2.INTER_AREA)


def _prepare(cuts: list[CellCut]) -> tuple[list[int], np.ndarray]:
    """Indices of cells holding ink and their 28x28 images, via the project's one path."""
    from braintank.inference.preprocess import to_mnist

    index, images = [], []
    for i, cut in enumerate(cuts):
        if cut.state == "empty":
            continue
        prepared = to_mnist(_shrink(cut.ink))
        if prepared.empty or prepared.image is None:
            continue
        index.append(i)
        images.append(prepared.image)
    stack = np.stack(images).astype(np.float32) if images else np.zeros((0, 28, 28), np.float32)
    return index, stack


def classify(cuts: list[CellCut], layout: Layout, classifier) -> list[CellReading]:
    """Readings for all cells: empty, ok (confident, clean) or review.

    On a page (or the part of one) too noisy to trust, nothing is `ok`: written cells go to
    review with the reason, and so do empty cells holding faint marks, since there noise and
    faint writing cannot be told apart safely.
    """
    index, images = _prepare(cuts)
    input_of = dict(zip(index, images, strict=True))
    probs, confidence = classifier.read_batch28(images) if len(index) \
        else (np.zeros((0, 10)), np.zeros(0))
    threshold = float(classifier.threshold_)
    by_cell = {i: (probs[k], confidence[k]) for k, i in enumerate(index)}
    untrusted = noise.distrust([c.scan_noise for c in cuts], [c.paper for c in cuts])
    readings = []
    for i, (cell, cut) in enumerate(zip(layout.cells, cuts, strict=True)):
        reading = CellReading(cell.row, cell.col, None, 0.0, "empty", "", crop=cut.view)
        if cut.state == "empty" and cut.faint and untrusted[i]:
            reading.status, reading.reason = "review", f"faint marks; {untrusted[i]}"
        if cut.state != "empty":
            reading.status, reading.reason = "review", cut.reason
            if i not in by_cell:
                reading.reason = reading.reason or "ink too faint to read"
            else:
                p, reading.confidence = by_cell[i][0], float(by_cell[i][1])
                reading.guess = int(np.argmax(p))
                reading.probabilities = [round(float(v), 6) for v in p]
                if cut.state == "written":
                    reading.input28 = input_of[i]
                if cut.state == "written" and reading.confidence >= threshold:
                    reading.status, reading.digit = "ok", reading.guess
                elif cut.state == "written":
                    reading.reason = f"confidence below {threshold:.3f}"
            if untrusted[i]:
                reading.status, reading.digit = "review", None
                reading.reason = untrusted[i] if cut.state == "written" else reading.reason
        readings.append(reading)
    return readings


def read_page(grey: np.ndarray, classifier, layout: Layout | None = None) -> PageReading:
    """Read one page image (2-D grey, float [0,1] or uint8)."""
    if grey.ndim != 2 or min(grey.shape) < 64:
        raise BraintankError(f"image of shape {grey.shape} is too small to be a sheet")
    page, ink, code = rectify(grey, layout)
    layout = resolve_layout(code, layout)
    cuts = cut_cells(page, ink, layout)
    return PageReading(layout.layout_id, classify(cuts, layout, classifier))


def encode_png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise BraintankError("could not encode a cell crop as PNG")
    return data.tobytes()
