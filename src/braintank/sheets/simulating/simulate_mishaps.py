"""What phones do to a sheet, for the simulator: covered corner markers, a small page on a desk.

Kept apart from simulate.py so its degradations and these stay easy to change separately.
Covering works on the clean 300-dpi page (before it is photographed); the desk replaces the
usual photo with a 4000 x 3000 one in which the page is small and surrounded by clutter.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from braintank.sheets.locating.rectify import boxes_in_image
from braintank.sheets.printing.layout import PAGE_A4, Layout, code_boxes, grid_cells, make_layout
from braintank.sheets.printing.template import render_array

COVER_STYLES = ("thumb", "fold")
# In the frame of the nearest page corner (x and y measured into the page), a marker spans
# [130, 280] x [234, 384] on A4. A cover hides all of it and nothing of the writing boxes or
# the layout code (checked on each draw; see _protected).
_MARKER_FAR = np.array([280.0, 384.0])
_KEEP_CLEAR_PX = 8
_TRIES = 200


def _corner_frame(marker_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(page corner, unit directions into the page) for the corner holding `marker_id`."""
    w, h = PAGE_A4
    corners = {11: ((0, 0), (1, 1)), 22: ((w, 0), (-1, 1)), 33: ((w, h), (-1, -1)),
               44: ((0, h), (1, -1))}
    origin, inward = corners[marker_id]
    return np.array(origin, np.float64), np.array(inward, np.float64)


def _local_grid(origin: np.ndarray, inward: np.ndarray, size: int):
    """Pixel slices of the size x size square at the corner and its local coordinates."""
    w, h = PAGE_A4
    xs = np.arange(w)[:size] if inward[0] > 0 else np.arange(w - size, w)
    ys = np.arange(h)[:size] if inward[1] > 0 else np.arange(h - size, h)
    lx = (xs + 0.5 - origin[0]) * inward[0]
    ly = (ys + 0.5 - origin[1]) * inward[1]
    region = (slice(ys[0], ys[-1] + 1), slice(xs[0], xs[-1] + 1))
    return region, lx[None, :], ly[:, None]


def _thumb_alpha(lx, ly, rng) -> tuple[np.ndarray, float]:
    """A thumb over the marker, reaching in from beyond the page corner: (coverage, shade)."""
    centre = np.array([205.0, 309.0]) + rng.uniform(-10, 10, 2)
    a, b = rng.uniform(125, 150), rng.uniform(125, 140)
    # The thumb's axis points from outside the page corner to the marker.
    angle = np.arctan2(centre[1], centre[0]) + rng.uniform(-0.4, 0.4)
    ux, uy = np.cos(angle), np.sin(angle)
    along = (lx - centre[0]) * ux + (ly - centre[1]) * uy
    across = -(lx - centre[0]) * uy + (ly - centre[1]) * ux
    tip = (along / a) ** 2 + (across / b) ** 2 <= 1.0
    shaft = (along < 0) & (np.abs(across) <= b)
    alpha = (tip | shaft).astype(np.float32)
    alpha = cv2.GaussianBlur(alpha, (0, 0), float(rng.uniform(2, 6)))
    # Rounded flesh: darker towards its sides.
    shade = float(rng.uniform(0.45, 0.75))
    relief = 1.0 - 0.25 * np.clip(np.abs(across) / b, 0, 1) ** 2
    return alpha, shade * relief.astype(np.float32)


def _fold_alpha(lx, ly, rng) -> tuple[np.ndarray, np.ndarray]:
    """The corner folded behind the page, so the table shows there: (coverage, shade)."""
    while True:  # a fold line beyond the marker's far corner
        l1, l2 = rng.uniform(420, 1000, 2)
        if _MARKER_FAR[0] / l1 + _MARKER_FAR[1] / l2 <= 0.95:
            break
    side = lx / l1 + ly / l2  # < 1 inside the folded triangle
    alpha = np.clip((1.0 - side) * 300.0, 0.0, 1.0).astype(np.float32)
    table = float(rng.uniform(0.15, 0.55))
    # A thin shadow of the fold line on the paper next to it.
    edge = np.exp(-((side - 1.0) * 300.0 / 6.0) ** 2).astype(np.float32)
    return np.maximum(alpha, 0.35 * edge), np.where(alpha > 0.5, table, 0.6).astype(np.float32)


@functools.cache
def _protected(rows: int, cols: int) -> np.ndarray:
    """A4 mask of what a cover must leave alone: every writing box and the layout code."""

    mask = np.zeros((PAGE_A4[1], PAGE_A4[0]), bool)
    for x0, y0, x1, y1 in [c.box for c in grid_cells(rows, cols)] + code_boxes():
        m = _KEEP_CLEAR_PX
        mask[max(y0 - m, 0):y1 + m, max(x0 - m, 0):x1 + m] = True
    return mask


def cover_markers(page: np.ndarray, marker_ids, rng: np.random.Generator, layout: Layout,
                  style: str = "thumb") -> None:
    """Hide the named corner markers of a clean A4 page (float brightness) in place.

    `style`: 'thumb', 'fold' or 'mixed' (each marker picks one). Every writing box of `layout`
    and its layout code stay untouched: a draw that reaches them is drawn again, and a corner
    where no fold can hide the marker without reaching a box (the top right one, whose boxes
    come closer to the edge) gets a thumb.
    """
    assert page.shape == (PAGE_A4[1], PAGE_A4[0])
    protected = _protected(layout.rows, layout.cols)
    for marker_id in marker_ids:
        kind = style if style != "mixed" else COVER_STYLES[int(rng.integers(2))]
        origin, inward = _corner_frame(int(marker_id))
        region, lx, ly = _local_grid(origin, inward, 900)
        lx, ly = np.broadcast_to(lx, (900, 900)), np.broadcast_to(ly, (900, 900))
        keep = protected[region]
        for attempt in range(2 * _TRIES):
            draw = _fold_alpha if kind == "fold" and attempt < _TRIES else _thumb_alpha
            alpha, shade = draw(lx, ly, rng)
            if alpha[keep].max(initial=0.0) < 0.01:
                break
        else:
            raise AssertionError(f"no cover for marker {marker_id} that spares the boxes")
        patch = page[region]
        patch[:] = patch * (1.0 - alpha) + shade * alpha


def covered_markers(count: int, rng: np.random.Generator) -> tuple[int, ...]:
    """`count` distinct marker ids chosen at random."""
    return tuple(int(i) for i in rng.choice([11, 22, 33, 44], size=count, replace=False))


# ---- a small page on a cluttered desk -------------------------------------------------------

DESK = (4000, 3000)


def _wood(h: int, w: int, rng) -> np.ndarray:
    """A table top: a mid tone with long grain streaks."""
    grain = rng.normal(0, 1, (max(h // 6, 2), max(w // 120, 2))).astype(np.float32)
    grain = cv2.resize(grain, (w, h), interpolation=cv2.INTER_CUBIC)
    yy = np.arange(h, dtype=np.float32)[:, None]
    rings = np.sin(yy / rng.uniform(9, 25) + 3 * grain)
    base = float(rng.uniform(0.3, 0.55))
    return np.clip(base + 0.05 * grain + 0.06 * rings, 0.05, 0.95).astype(np.float32)


def _paste(desk: np.ndarray, item: np.ndarray, matrix: np.ndarray) -> None:
    """Lay `item` (float brightness) on the desk through the 3x3 `matrix`."""
    ih, iw = item.shape
    outline = np.array([[[0, 0]], [[iw, 0]], [[iw, ih]], [[0, ih]]], np.float64)
    spots = cv2.perspectiveTransform(outline, matrix).reshape(-1, 2)
    x0, y0 = np.maximum(np.floor(spots.min(axis=0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(spots.max(axis=0)).astype(int) + 2, desk.shape[::-1])
    if x0 >= x1 or y0 >= y1:
        return
    shifted = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64) @ matrix
    size = (int(x1 - x0), int(y1 - y0))
    warped = cv2.warpPerspective(item, shifted, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones_like(item), shifted, size, flags=cv2.INTER_LINEAR)
    region = desk[y0:y1, x0:x1]
    region *= 1.0 - mask
    region += warped * mask


def _placement(w: float, h: float, scale: float, centre, angle: float) -> np.ndarray:
    """Map an item of w x h pixels, scaled and rotated, centred at `centre` on the desk."""
    t = np.deg2rad(angle)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]) * scale
    shift = np.asarray(centre, np.float64) - rot @ np.array([w / 2, h / 2])
    return np.vstack([np.hstack([rot, shift[:, None]]), [0, 0, 1]])


def _text_paper(w: int, h: int, rng) -> np.ndarray:
    """A page of printed text lines."""
    paper = np.full((h, w), int(rng.uniform(205, 248)), np.uint8)  # putText wants 8 bits
    size = float(rng.uniform(0.8, 1.6))
    step = int(30 * size) + 8
    for y in range(60, h - 40, step):
        words = " ".join("".join(chr(int(c)) for c in rng.integers(97, 123, rng.integers(2, 9)))
                         for _ in range(12))
        cv2.putText(paper, words, (40, y), cv2.FONT_HERSHEY_SIMPLEX, size, 25, 2, cv2.LINE_AA)
    return paper.astype(np.float32) / 255.0


def _keyboard(key: float, rng) -> np.ndarray:
    """Rows of square keys whose size and spacing are like a sheet's writing boxes."""
    cols, rows = int(rng.integers(8, 14)), int(rng.integers(3, 6))
    pitch = key * float(rng.uniform(1.15, 1.35))
    w, h = int(cols * pitch + key), int(rows * pitch + key)
    board = np.full((h, w), float(rng.uniform(0.1, 0.25)), np.float32)
    top = float(rng.uniform(0.45, 0.8))
    for r in range(rows):
        for c in range(cols):
            x, y = int(key / 2 + c * pitch), int(key / 2 + r * pitch)
            cv2.rectangle(board, (x, y), (int(x + key), int(y + key)), top, -1, cv2.LINE_AA)
            cv2.rectangle(board, (x, y), (int(x + key), int(y + key)), top * 0.7, 3, cv2.LINE_AA)
    return board


@functools.cache
def _other_sheet(layout_key: tuple[int, int]) -> np.ndarray:
    return render_array(make_layout(*layout_key, "Other sheet")).astype(np.float32) / 255.0


def _partial_sheet(layout: Layout, rng) -> np.ndarray:
    """A piece of another sheet of the same size: part of its box grid, maybe a marker."""
    sheet = _other_sheet((layout.rows, layout.cols))
    h, w = sheet.shape
    cw, ch = int(w * rng.uniform(0.3, 0.6)), int(h * rng.uniform(0.2, 0.4))
    x0, y0 = int(rng.uniform(0, w - cw)), int(rng.uniform(0, h - ch))
    return sheet[y0:y0 + ch, x0:x0 + cw].copy()


def _scatter_words(desk: np.ndarray, rng) -> None:
    """Big dark words printed straight on the desk (a box, a mug, a notebook cover)."""
    ink = np.zeros(desk.shape, np.uint8)
    for _ in range(int(rng.integers(3, 8))):
        word = "".join(chr(int(c)) for c in rng.integers(65, 91, rng.integers(3, 10)))
        spot = (int(rng.uniform(0, desk.shape[1] - 600)), int(rng.uniform(80, desk.shape[0])))
        cv2.putText(ink, word, spot, cv2.FONT_HERSHEY_DUPLEX, float(rng.uniform(1.5, 4)), 255,
                    int(rng.integers(2, 8)), cv2.LINE_AA)
    desk *= 1.0 - 0.85 * ink.astype(np.float32) / 255.0


def _desk_lighting(h: int, w: int, rng) -> np.ndarray:
    """Uneven light and a hard-edged shadow, as simulate._lighting, built at 1/16 size."""
    sh, sw = h // 16, w // 16
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gx, gy = rng.uniform(-0.35, 0.35, 2)
    light = 1.0 + gx * (xx / sw - 0.5) + gy * (yy / sh - 0.5)
    if rng.random() < 0.7:
        a, b = rng.uniform(-1, 1, 2)
        side = (xx - sw * rng.uniform(0.2, 0.8)) * a + (yy - sh * rng.uniform(0.2, 0.8)) * b > 0
        light *= np.where(side, rng.uniform(0.55, 0.8), 1.0).astype(np.float32)
    light = cv2.GaussianBlur(light, (0, 0), 0.8) * float(rng.uniform(0.75, 1.0))
    return cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR)


def desk_photo(page: np.ndarray | None, layout: Layout, rng: np.random.Generator,
               width_share: tuple[float, float] = (0.25, 0.35), clutter: bool = True):
    """Photograph `page` (float brightness, 300-dpi A4) small on a cluttered 4000 x 3000 desk.

    Returns (encoded JPEG bytes, decoded grey uint8, dpi, 3x3 map from page to image pixels).
    Without a page (None) the desk alone: its clutter still holds a piece of another sheet of
    `layout`'s size, a keyboard of box-sized keys and printed text.
    """
    out_w, out_h = DESK
    desk = _wood(out_h, out_w, rng)
    scale = float(rng.uniform(*width_share)) * out_w / PAGE_A4[0]
    if clutter:
        box_px = (layout.cells[0].box[2] - layout.cells[0].box[0]) * scale
        items = [_text_paper(1800, 2400, rng) for _ in range(int(rng.integers(1, 3)))]
        items += [_keyboard(box_px / scale, rng), _partial_sheet(layout, rng)]
        for item in items:
            centre = rng.uniform([0, 0], [out_w, out_h])
            _paste(desk, item, _placement(item.shape[1], item.shape[0], scale, centre,
                                          float(rng.uniform(-180, 180))))
        _scatter_words(desk, rng)
    if page is None:
        return _expose(desk, rng) + (0.0, None)
    ph, pw = page.shape
    # The whole page stays in the photo at any angle (with room for the tilt below).
    half = 0.54 * scale * np.hypot(pw, ph)
    centre = rng.uniform([half, half], [out_w - half, out_h - half]) if 2 * half < out_h \
        else np.array([out_w / 2, out_h / 2])
    matrix = _placement(pw, ph, scale, centre, float(rng.uniform(-180, 180)))
    # A little perspective about the page centre: the phone is never quite parallel to the desk.
    tilt = np.eye(3)
    tilt[2, :2] = rng.uniform(-1.5e-5, 1.5e-5, 2)
    to_centre = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]])
    matrix = np.linalg.inv(to_centre) @ tilt @ to_centre @ matrix
    # Blur at 300 dpi (lens and anti-aliasing) before the page shrinks into the photo.
    sharp = cv2.GaussianBlur(page, (0, 0), float(np.hypot(rng.uniform(0.3, 1.2), 0.4 / scale)))
    _paste(desk, sharp, matrix)
    return _expose(desk, rng) + (300.0 * scale, matrix)


def sheets_on_desk(pages: list[np.ndarray], rng: np.random.Generator):
    """Photograph several pages (float brightness, 300-dpi A4) side by side on a desk, in one
    4000 x 3000 photo, each turned a little.

    Returns (encoded JPEG bytes, decoded grey uint8, dpi, [3x3 map from page to image pixels]
    per page, left to right).
    """
    out_w, out_h = DESK
    desk = _wood(out_h, out_w, rng)
    slot = out_w / len(pages)
    scale = min(0.9 * slot / PAGE_A4[0], 0.9 * out_h / PAGE_A4[1])
    matrices = []
    for i, page in enumerate(pages):
        ph, pw = page.shape
        centre = ((i + 0.5) * slot, out_h / 2 + rng.uniform(-0.03, 0.03) * out_h)
        matrix = _placement(pw, ph, scale, centre, float(rng.uniform(-4, 4)))
        sharp = cv2.GaussianBlur(page, (0, 0), float(np.hypot(rng.uniform(0.3, 1.2),
                                                              0.4 / scale)))
        _paste(desk, sharp, matrix)
        matrices.append(matrix)
    data, grey = _expose(desk, rng)
    return data, grey, 300.0 * scale, matrices


def _expose(desk: np.ndarray, rng) -> tuple[bytes, np.ndarray]:
    """Light, sensor noise and JPEG: (encoded bytes, decoded grey uint8)."""
    desk *= _desk_lighting(*desk.shape, rng)
    noise = rng.standard_normal(desk.shape, dtype=np.float32)
    desk += noise * np.float32(rng.uniform(0.005, 0.02))
    grey = np.clip(desk * 255 + 0.5, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 92))])
    assert ok
    data = data.tobytes()
    return data, cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)


# ---- a photo that cuts off the edge of the grid ---------------------------------------------

# Sides of the page an edge of the photo may cut. Cutting the bottom cuts off the layout code
# too (the reader must then refuse the page); "any" picks one of the others.
CUT_SIDES = ("left", "top", "right", "bottom")


def cut_edge(grey: np.ndarray, matrix: np.ndarray, layout: Layout, side: str,
             rng: np.random.Generator, jpeg: bool = True):
    """Crop a photo of `layout` (page -> image `matrix`) so that its edge runs through the
    outermost line of boxes on `side` of the page, a quarter to one and a half box pitches in
    (less where that would cut the layout code, on any side but the bottom).

    Returns (encoded bytes, grey uint8, the new page -> image map, the (row, col) of every
    box not wholly in the photo).
    """

    boxes = np.array([c.box for c in layout.cells], np.float64)
    x0, y0 = boxes[:, :2].min(axis=0)
    x1, y1 = boxes[:, 2:].max(axis=0)
    pitch = 1.25 * float(boxes[0, 2] - boxes[0, 0])
    depth = float(rng.uniform(0.25, 1.5)) * pitch
    span_x, span_y = np.linspace(x0, x1, 9), np.linspace(y0, y1, 9)
    line = {"left": np.stack([np.full(9, x0 + depth), span_y], 1),
            "right": np.stack([np.full(9, x1 - depth), span_y], 1),
            "top": np.stack([span_x, np.full(9, y0 + depth)], 1),
            "bottom": np.stack([span_x, np.full(9, y1 - depth)], 1)}[side]
    centre = np.array([[(x0 + x1) / 2, (y0 + y1) / 2]])
    on_image = cv2.perspectiveTransform(np.concatenate([line, centre])[:, None], matrix)[:, 0]
    # Which edge of the photo lies beyond the line, seen from the grid's centre.
    outward = on_image[:-1].mean(axis=0) - on_image[-1]
    axis = int(np.argmax(np.abs(outward)))
    at = int(round(float(on_image[:-1, axis].mean())))
    if side != "bottom":
        # A turned page brings the code strip near the cut: keep it whole (with room for
        # PageInk's paper estimate), so that only the bottom cut refuses the page.

        strip = np.array([[x, y] for x0_, y0_, x1_, y1_ in code_boxes()
                          for x, y in ((x0_ - 60, y0_ - 60), (x1_ + 60, y1_ + 60),
                                       (x0_ - 60, y1_ + 60), (x1_ + 60, y0_ - 60))], np.float64)
        ends = cv2.perspectiveTransform(strip[:, None], matrix)[:, 0, axis]
        at = max(at, int(np.ceil(ends.max()))) if outward[axis] > 0 \
            else min(at, int(np.floor(ends.min())))
    h, w = grey.shape
    keep = [0, 0, w, h]  # x0, y0, x1, y1 of the photo kept
    if outward[axis] > 0:
        keep[axis + 2] = min(max(at, 1), (w, h)[axis])
    else:
        keep[axis] = max(min(at, (w, h)[axis] - 1), 0)
    cropped = np.ascontiguousarray(grey[keep[1]:keep[3], keep[0]:keep[2]])
    shift = np.array([[1, 0, -keep[0]], [0, 1, -keep[1]], [0, 0, 1]], np.float64) @ matrix
    inside, _ = boxes_in_image(np.linalg.inv(shift), cropped.shape, boxes.astype(int).tolist())
    cut = {(c.row, c.col) for c, seen in zip(layout.cells, inside, strict=True) if not seen}
    ok, data = cv2.imencode(".jpg", cropped, [cv2.IMWRITE_JPEG_QUALITY, 92]) if jpeg \
        else cv2.imencode(".png", cropped)
    assert ok
    data = data.tobytes()
    return data, cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE), shift, cut
