"""Read a photo: each sheet in it placed (locating/placement.py) -> cells -> MNIST-style ink
-> digits.

A box the photo cuts off is listed for a person ("not in the photo"), and where a box had too
few photo pixels to read safely nothing is `ok`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from braintank.errors import BraintankError
from braintank.evaluation.review_policy import OK
from braintank.imaging.preprocess import to_mnist
from braintank.sheets.locating import noise
from braintank.sheets.locating.markers import biggest_per_id, detect_marker_copies
from braintank.sheets.locating.placement import rectify, resolve_layout
from braintank.sheets.locating.rectify import PageInk, boxes_in_image
from braintank.sheets.locating.several import group_markers, several_sheets, stray_sheet
from braintank.sheets.printing.layout import Layout
from braintank.sheets.reading.cells import CellCut, cut_cell

# Below this many photo pixels per box side, no cell is `ok`: the written ones go to review (and so
# do empty-looking ones holding faint marks). Measured with the simulator and the shipped model,
# reading with the floor off (benchmarks/sheet_resolution.py; the docs site's
# docs/results/sheets.md, "Low resolution"): at 35 px and more, wrong `ok` digits and empty boxes
# read as digits come no more often than at 300 dpi; below 35 they come (the printed lines blur and
# break into dashes that look like strokes, thin strokes fade). The floor keeps a margin of 1.3 over
# that.
MIN_BOX_PX = 45.0
NOT_IN_PHOTO = "not in the photo"
# A box whose frame comes closer than this share of its side to the photo's edge counts as
# cut off: the page is placed to a pixel or two, and a box read as whole must be whole.
EDGE_MARGIN = 0.05


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


def cut_cells(page: np.ndarray, ink: PageInk, layout: Layout,
              inside: np.ndarray | None = None) -> list[CellCut]:
    """Every cell of the layout, cut and judged; a cell not wholly `inside` the photo is
    cut only to be shown (a box cut off would read as empty paper)."""
    boxes = [c.box for c in layout.cells]
    pitch = min((b[0] - a[2] for a, b in zip(boxes, boxes[1:], strict=False)
                 if b[0] > a[2]), default=40)
    margin = max(pitch // 2 - 2, 4)
    every = np.array(boxes, np.int64)
    inside = np.ones(len(boxes), bool) if inside is None else inside
    return [cut_cell(page, ink, box, margin, every) if seen else
            CellCut("outside", NOT_IN_PHOTO, np.zeros((1, 1), np.float32),
                    page[max(box[1] - margin, 0):box[3] + margin,
                         max(box[0] - margin, 0):box[2] + margin].copy())
            for box, seen in zip(boxes, inside, strict=True)]


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

    index, images = [], []
    for i, cut in enumerate(cuts):
        if cut.state in ("empty", "outside"):
            continue
        prepared = to_mnist(_shrink(cut.ink))
        if prepared.empty or prepared.image is None:
            continue
        index.append(i)
        images.append(prepared.image)
    stack = np.stack(images).astype(np.float32) if images else np.zeros((0, 28, 28), np.float32)
    return index, stack


def too_small(box_px: float) -> str:
    return f"photo too small: {box_px:.0f} px per box; take it closer"


def classify(cuts: list[CellCut], layout: Layout, classifier,
             box_px: np.ndarray | None = None) -> list[CellReading]:
    """Readings for all cells: empty, ok (confident, clean) or review.

    A cell the photo cuts off is listed for review, never guessed. Where a box had fewer than
    MIN_BOX_PX photo pixels (`box_px`, per cell) or the page (or the part of one) is too noisy
    to trust, nothing is `ok`: written cells go to review with the reason, and so do empty
    cells holding faint marks, since there faint writing and the rest cannot be told apart
    safely.
    """
    index, images = _prepare(cuts)
    input_of = dict(zip(index, images, strict=True))
    probs, confidence = classifier.read_batch28(images) if len(index) \
        else (np.zeros((0, 10)), np.zeros(0))
    policy = classifier.policy
    by_cell = {i: (probs[k], confidence[k]) for k, i in enumerate(index)}
    untrusted = noise.distrust([c.scan_noise for c in cuts], [c.paper for c in cuts])
    small = [too_small(px) if px < MIN_BOX_PX else ""
             for px in (np.full(len(cuts), np.inf) if box_px is None else box_px)]
    readings = []
    for i, (cell, cut) in enumerate(zip(layout.cells, cuts, strict=True)):
        reading = CellReading(cell.row, cell.col, None, 0.0, "empty", "", crop=cut.view)
        if cut.state == "outside":
            reading.status, reading.reason = "review", cut.reason
            readings.append(reading)
            continue
        doubt = small[i] or untrusted[i]
        if cut.state == "empty" and cut.faint and doubt:
            reading.status, reading.reason = "review", f"faint marks; {doubt}"
        elif cut.state != "empty" and i not in by_cell:
            reading.status, reading.reason = "review", cut.reason or "ink too faint to read"
            if doubt:  # too small a photo is the reason for any mark
                reading.reason = doubt if cut.state == "written" or small[i] else cut.reason
        elif cut.state != "empty":
            p, reading.confidence = by_cell[i][0], float(by_cell[i][1])
            reading.guess = int(np.argmax(p))
            reading.probabilities = [round(float(v), 6) for v in p]
            if cut.state == "written":
                reading.input28 = input_of[i]
            # What the page says against a cell comes first: too few pixels (for any mark),
            # noise (for a written one), then what the cell's shape rules saw.
            against = small[i] or (untrusted[i] if cut.state == "written" else "") or cut.reason
            reading.status, reading.reason = policy.decide(p, reading.confidence, against)
            reading.digit = reading.guess if reading.status == OK else None
        readings.append(reading)
    return readings


def read_page(grey: np.ndarray, classifier, layout: Layout | None = None) -> PageReading:
    """Read the one sheet in a page image (2-D grey, float [0,1] or uint8); a photo holding
    several is refused (read_photo reads them all)."""
    results = read_photo(grey, classifier, layout)
    if len(results) > 1:
        raise BraintankError(f"{len(results)} sheets in one photo")
    if isinstance(results[0], BraintankError):
        raise results[0]
    return results[0]


def read_photo(grey: np.ndarray, classifier, layout: Layout | None = None
               ) -> list[PageReading | BraintankError]:
    """Every sheet in a photo, in reading order (left to right), each read or refused with
    the reason. A photo that holds no sheet it can place raises the reason."""
    if grey.ndim != 2 or min(grey.shape) < 64:
        raise BraintankError(f"image of shape {grey.shape} is too small to be a sheet")
    copies = detect_marker_copies(grey)
    groups, left = group_markers(copies) if several_sheets(copies) else ([], [])
    left = left if groups else []  # no sheet placed by markers alone: today's single path
    results: list[PageReading | BraintankError] = []
    if len(groups) <= 1:
        markers = groups[0] if groups else biggest_per_id(copies)
        results.append(_read_sheet(grey, classifier, layout, markers, grid=True))
    else:
        for group in groups:
            try:
                results.append(_read_sheet(grey, classifier, layout, group, grid=False))
            except BraintankError as exc:
                results.append(exc)
    if stray := stray_sheet(left):
        results.append(BraintankError(
            f"another sheet in the photo was not read: only {stray} of its corner markers "
            "found (photograph each sheet on its own)"))
    return results


def _read_sheet(grey: np.ndarray, classifier, layout: Layout | None,
                markers: dict[int, np.ndarray], grid: bool) -> PageReading:
    placed = rectify(grey, layout, markers, grid)
    layout = resolve_layout(placed.code, layout)
    inside, box_px = boxes_in_image(placed.matrix, grey.shape, [c.box for c in layout.cells],
                                    EDGE_MARGIN)
    cuts = cut_cells(placed.page, placed.ink, layout, inside)
    return PageReading(layout.layout_id, classify(cuts, layout, classifier, box_px))


def encode_png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise BraintankError("could not encode a cell crop as PNG")
    return data.tobytes()
