"""Put a photographed page back into the template's pixel frame and read its layout code."""

from __future__ import annotations

import cv2
import numpy as np

from braintank.errors import BraintankError
from braintank.sheets.locating import noise
from braintank.sheets.locating.markers import to_uint8
from braintank.sheets.printing import layout_code
from braintank.sheets.printing.layout import PAGE_A4, code_boxes, marker_corners

# Marker corners that land further than this from where the template says (in 300-dpi page
# pixels) mean the markers do not belong to one flat sheet.
MAX_MARKER_ERROR_PX = 12.0


def page_homography(found: dict[int, np.ndarray]) -> np.ndarray:
    """The 3x3 map from image pixels to template page pixels, fitted on all marker corners."""
    if len(found) < 3:
        raise BraintankError(f"only {len(found)} of 4 corner markers found "
                             "(not a braintank sheet, a blank page, or markers cut off)")
    template = marker_corners()
    src = np.concatenate([found[k] for k in sorted(found)]).astype(np.float64)
    dst = np.concatenate([np.asarray(template[k], np.float64) for k in sorted(found)])
    matrix, _ = cv2.findHomography(src, dst, 0)
    if matrix is None:
        raise BraintankError("corner markers are degenerate (page folded or mostly cut off)")
    projected = cv2.perspectiveTransform(src.reshape(-1, 1, 2), matrix).reshape(-1, 2)
    error = float(np.abs(projected - dst).max())
    if error > MAX_MARKER_ERROR_PX:
        raise BraintankError(f"corner markers do not fit one flat sheet (off by {error:.0f} px)")
    return matrix


def warp_page(grey: np.ndarray, matrix: np.ndarray,
              page_px: tuple[int, int] = PAGE_A4) -> np.ndarray:
    """The page as uint8 in template pixels; areas outside the photo come out white."""
    return cv2.warpPerspective(to_uint8(grey), matrix, page_px, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=255)


class PageInk:
    """Darkness relative to the local paper brightness, float32 in [0, 1] (ink high).

    Dividing by a local background estimate cancels uneven lighting and shadows, which
    multiply paper and ink alike. Computed per region, since only cells and the code are read.
    A noisy page is smoothed first (`noise.smooth`), as much as its measured noise asks for;
    `noise` keeps what was measured.
    """

    def __init__(self, page: np.ndarray) -> None:
        self.noise = noise.measure(page)
        page = noise.smooth(page, self.noise)
        factor = 4
        small = cv2.resize(page, (page.shape[1] // factor, page.shape[0] // factor),
                           interpolation=cv2.INTER_AREA)
        if not self.noise.clean:
            # The closing below takes local maxima, which noise left by the smoothing would
            # lift above the paper; the background is smooth, so it can be smoothed more.
            small = cv2.GaussianBlur(small, (0, 0), 1.5)
        # Closing (max then min) removes strokes narrower than the kernel but keeps the edge
        # of a shadow where it is; a plain max would spread light paper into the shadow.
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))
        background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
        background = cv2.GaussianBlur(background, (0, 0), 1.0)
        self.page = page
        self.background = cv2.resize(background, (page.shape[1], page.shape[0]),
                                     interpolation=cv2.INTER_LINEAR)

    def region(self, x0: int, y0: int, x1: int, y1: int, clip: bool = True) -> np.ndarray:
        """Ink of page[y0:y1, x0:x1] (clipped to the page).

        With clip=False, paper lighter than the background estimate stays negative, as the
        noise measurement needs; otherwise the values are clipped to [0, 1].
        """
        x0, y0 = max(x0, 0), max(y0, 0)
        grey = self.page[y0:y1, x0:x1].astype(np.float32)
        paper = np.maximum(self.background[y0:y1, x0:x1].astype(np.float32), 16.0)
        ink = 1.0 - grey / paper
        return np.clip(ink, 0.0, 1.0, out=ink) if clip else ink

    def noise_at(self, x0: int, y0: int, x1: int, y1: int) -> tuple[float, float]:
        """(noise sigma before smoothing, paper brightness), 8-bit levels, in a page region."""
        x0, y0 = max(x0, 0), max(y0, 0)
        paper = float(np.median(self.background[y0:y1:8, x0:x1:8]))
        return self.noise.sigma_at(x0, y0, x1, y1), paper


def read_code(ink: PageInk, origin: tuple[int, int] = (0, 0)) -> tuple[int, int, int] | None:
    """(rows, cols, variant) printed on the rectified page, or None when unreadable.

    `origin`: where `ink`'s top-left pixel lies in the page (when it holds only a part).
    """
    ox, oy = origin
    values = []
    for x0, y0, x1, y1 in code_boxes():
        x0, y0, x1, y1 = x0 - ox, y0 - oy, x1 - ox, y1 - oy
        mx, my = (x1 - x0) // 4, (y1 - y0) // 4
        values.append(float(ink.region(x0 + mx, y0 + my, x1 - mx, y1 - my).mean()))
    bits = [1 if v > 0.35 else 0 for v in values]
    return layout_code.decode(bits)


# Paper kept around the code strip when only the strip is rectified: more than PageInk's
# background scale, so the paper estimate next to the code squares is paper.
CODE_MARGIN = 80


def read_code_only(grey: np.ndarray, matrix: np.ndarray) -> tuple[int, int, int] | None:
    """The layout code read through `matrix` (image -> page) without rectifying the page.

    A cheap test of a guessed homography: only the strip under the grid is warped.
    """
    boxes = code_boxes()
    x0, y0 = boxes[0][0] - CODE_MARGIN, boxes[0][1] - CODE_MARGIN
    x1, y1 = boxes[-1][2] + CODE_MARGIN, boxes[-1][3] + CODE_MARGIN
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    strip = warp_page(grey, shift @ matrix, (x1 - x0, y1 - y0))
    return read_code(PageInk(strip), (x0, y0))


def boxes_in_image(matrix: np.ndarray, image_shape: tuple[int, ...],
                   boxes: list[tuple[int, int, int, int]],
                   margin: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Where the page's `boxes` fall in the photo seen through `matrix` (image -> page).

    Returns (inside [n] bool: the box lies wholly inside the photo, `margin` of its side clear
    of the edge; side [n]: the box's mean side length in photo pixels, the resolution it was
    really seen at).
    """
    if not boxes:
        return np.zeros(0, bool), np.zeros(0)
    corners = np.array([[[x, y]] for x0, y0, x1, y1 in boxes
                        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))], np.float64)
    in_image = cv2.perspectiveTransform(corners, np.linalg.inv(matrix)).reshape(-1, 4, 2)
    sides = np.linalg.norm(in_image - np.roll(in_image, -1, axis=1), axis=2).mean(axis=1)
    clear = (margin * sides)[:, None]
    h, w = image_shape[:2]
    inside = (in_image[..., 0] >= clear) & (in_image[..., 0] <= w - 1 - clear) \
        & (in_image[..., 1] >= clear) & (in_image[..., 1] <= h - 1 - clear)
    return inside.all(axis=1), sides
