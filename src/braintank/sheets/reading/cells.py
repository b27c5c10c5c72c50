"""Cut one cell out of a rectified page, remove its printed frame and judge what is written.

The printed lines are separated from the handwriting (framelines.py), so a digit touching or
crossing the box keeps its shape and gains no piece of a line. What is
left is grouped into marks: none -> empty; one digit-shaped mark -> written; several marks,
a mark too wide for one digit, a dash or a small stray mark -> review, since guessing there
could let a wrong score through.

Ink is what stands clearly above the cell's paper: above fixed darkness levels, and above
several sigmas of the paper's own noise (measured in the gap around the frame), so noise the
page's smoothing left behind never makes a mark.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from braintank.inference.marks import BIG_PART, DASH, TOO_WIDE, TWO_MARKS, side_by_side
from braintank.sheets.locating.rectify import PageInk
from braintank.sheets.printing.layout import LINE_WIDTH
from braintank.sheets.reading.framelines import SEARCH_PX, printed_lines, remove_lines

STRONG_INK = 0.30
WEAK_INK = 0.14
# The same thresholds in units of the cell's own paper noise: whatever noise the page's
# smoothing left must not reach them, so noise alone never makes a mark.
STRONG_SIGMAS = 6.0
WEAK_SIGMAS = 3.0


@dataclass
class CellCut:
    """What the cell holds: state 'empty', 'written' or 'review' (with a reason).

    faint: judged empty, yet marks above the faint threshold are there (a doubtful empty).
    scan_noise, paper: the scan's noise sigma here before smoothing and the paper's brightness,
    both in 8-bit levels (what the reader's trust rule looks at).
    """

    state: str
    reason: str
    ink: np.ndarray  # float32, ink high, frame removed, stray pieces cleared
    view: np.ndarray  # uint8 grey crop of the rectified page, for people
    faint: bool = False
    scan_noise: float = 0.0
    paper: float = 255.0


def paper_noise(values: np.ndarray) -> tuple[float, float]:
    """(paper level, noise sigma) of ink values that are mostly paper, from the lightest.

    Ink only ever adds darkness, so the light tail belongs to paper even when strokes cover
    a third of the values: the 5th and 25th percentiles are then still paper's (its 7th and
    36th), and their distance is about one sigma of the paper's noise (0.97 sigma with no
    ink, 1.10 with a third inked).
    """
    sample = values.ravel()
    low, quarter = np.partition(sample, [sample.size // 20, sample.size // 4])[
        [sample.size // 20, sample.size // 4]]
    sigma = max(float(quarter - low) / 0.97, 0.0)
    return float(quarter) + 0.674 * sigma, sigma


def _paper_ring(ink: np.ndarray, frame: tuple[int, int, int, int]) -> np.ndarray:
    """Values of the gap around the printed frame: paper, but for strokes that cross it.

    The box itself can be filled by a bold digit, so the cell's paper is measured outside
    it, clear of the frame line wherever rectification may have put it.
    """
    x0, y0, x1, y1 = frame
    slack = SEARCH_PX + 2
    outside = np.ones(ink.shape, bool)
    outside[max(y0 - slack, 0):y1 + slack, max(x0 - slack, 0):x1 + slack] = False
    return ink[outside]


def _ink_mask(ink: np.ndarray, weak: float, strong: float) -> np.ndarray:
    """Hysteresis threshold: faint pixels count when connected to clearly dark ones."""
    weak_mask = (ink > weak).astype(np.uint8)
    count, labels = cv2.connectedComponents(weak_mask, connectivity=8)
    strong_labels = np.unique(labels[ink > strong])
    return np.isin(labels, strong_labels[strong_labels > 0])


def _marks(mask: np.ndarray, size: int) -> list[dict]:
    """Groups of ink pixels close enough to be one stroke group."""
    radius = max(1, round(size * 0.02))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    grouped = cv2.dilate(mask.astype(np.uint8), kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    marks = []
    for k in range(1, count):
        pixels = (labels == k) & mask
        area = int(pixels.sum())
        if area == 0:
            continue
        ys, xs = np.nonzero(pixels)
        marks.append({"pixels": pixels, "area": area,
                      "bbox": (int(xs.min()), int(ys.min()), int(xs.max()) + 1,
                               int(ys.max()) + 1),
                      "centre": (float(xs.mean()), float(ys.mean()))})
    return marks


def _belongs(mark: dict, inner: tuple[int, int, int, int], size: int) -> bool:
    """Whether a mark is this cell's: centred inside the box and more than speckle."""
    x0, y0, x1, y1 = inner
    cx, cy = mark["centre"]
    if not (x0 <= cx < x1 and y0 <= cy < y1):
        return False
    if mark["area"] < 0.0015 * size * size:
        return False
    bx0, by0, bx1, by1 = mark["bbox"]
    thin = min(bx1 - bx0, by1 - by0) <= LINE_WIDTH + 3
    hugs_edge = (bx1 <= x0 + LINE_WIDTH + 4 or bx0 >= x1 - LINE_WIDTH - 4
                 or by1 <= y0 + LINE_WIDTH + 4 or by0 >= y1 - LINE_WIDTH - 4)
    return not (thin and hugs_edge)  # leftover of the printed frame


def judge(marks: list[dict], size: int) -> tuple[str, str]:
    """(state, reason) for the marks kept in a cell of side `size` px."""
    if not marks:
        return "empty", ""
    total = sum(m["area"] for m in marks)
    x0 = min(m["bbox"][0] for m in marks)
    y0 = min(m["bbox"][1] for m in marks)
    x1 = max(m["bbox"][2] for m in marks)
    y1 = max(m["bbox"][3] for m in marks)
    width, height = x1 - x0, y1 - y0
    if max(width, height) < 0.18 * size:
        return "review", "small stray mark"
    big = [m["bbox"] for m in marks if m["area"] >= BIG_PART * total]
    if side_by_side(big):
        return "review", TWO_MARKS
    # The box's size tells more than the mark's own shape (inference.marks) can: a dash is
    # low in the box, a "10" wider than half of it.
    if height < 0.3 * size and width > 1.8 * height:
        return "review", DASH
    if width > 1.5 * height and width > 0.55 * size:
        return "review", TOO_WIDE
    return "written", ""


def cut_cell(page: np.ndarray, ink_page: PageInk, box: tuple[int, int, int, int],
             margin: int, boxes: np.ndarray) -> CellCut:
    """Read the cell whose printed frame is `box`, looking `margin` px beyond it; `boxes`
    [n, 4] are all the template's boxes (the lines of those in reach are removed too)."""
    bx0, by0, bx1, by1 = box
    x0, y0 = max(bx0 - margin, 0), max(by0 - margin, 0)
    x1 = min(bx1 + margin, page.shape[1])
    y1 = min(by1 + margin, page.shape[0])
    ink = ink_page.region(x0, y0, x1, y1, clip=False)
    frame = (bx0 - x0, by0 - y0, bx1 - x0, by1 - y0)
    ring = _paper_ring(ink, frame)
    level, sigma = paper_noise(ring if ring.size >= 400 else ink)
    np.clip(ink, 0.0, 1.0, out=ink)
    view = page[y0:y1, x0:x1].copy()
    weak = max(WEAK_INK, level + WEAK_SIGMAS * sigma)
    strong = max(STRONG_INK, level + STRONG_SIGMAS * sigma)
    remove_lines(ink, printed_lines(boxes, (x0, y0, x1, y1)), strong)
    size = bx1 - bx0
    marks = [m for m in _marks(_ink_mask(ink, weak, strong), size) if _belongs(m, frame, size)]
    state, reason = judge(marks, size)
    faint = state == "empty" and any(
        _belongs(m, frame, size) for m in _marks(ink > weak, size))
    keep = np.zeros(ink.shape, bool)
    for m in marks:
        keep |= m["pixels"]
    keep = cv2.dilate(keep.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    ink = np.where(keep, ink, 0.0).astype(np.float32)
    scan_noise, paper = ink_page.noise_at(*box)
    return CellCut(state=state, reason=reason, ink=ink, view=view, faint=faint,
                   scan_noise=scan_noise, paper=paper)
