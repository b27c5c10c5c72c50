"""How noisy a rectified page is, the smoothing that makes it readable, and when not to trust it.

Pixel noise (a cheap scanner, a dark photo, JPEG on top of grain) scatters dark pixels over
paper that the cell reader would take for ink, and spreads light holes through strokes. A
handwritten stroke at 300 dpi is several pixels wide and noise varies from pixel to pixel,
so a median (isolated black and white pixels) followed by a Gaussian blur scaled to the
measured noise removes most of it while keeping the strokes. Whatever noise is left is
measured again where ink is decided (per cell, `reading/cells.py`), so thresholds follow what the
smoothing did not remove, whatever kind of noise it was.

Noise is measured in tiles, so a page that is noisy in one part only (one side of a scanner,
a dark corner of a photo) is judged where it is noisy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

TILE_PX = 128             # noise is measured per tile of this side (page pixels)
_TILE_SAMPLES = 32        # ... from a grid of 32 x 32 filter outputs at each scale
CLEAN_SIGMA = 3.0         # 8-bit levels: a good scan or JPEG is below this; left untouched
IMPULSE_STEP = 60.0       # a pixel this far (8-bit) from its 5x5 median is an impulse ...
CLEAN_IMPULSES = 0.002    # ... and a clean page has fewer than this share of them
_BLUR_PER_LEVEL = 1 / 18  # Gaussian blur sigma (px) per 8-bit level of noise ...
MAX_BLUR_PX = 3.0         # ... up to this
_SMOOTH_QUANTILE = 0.75   # the page is smoothed for its noisier tiles (uneven noise)
# When a page's readings are trusted (see `distrust`). Calibrated with the rule switched off on
# simulated pages of MNIST training digits (benchmarks/sheet_noise_trust.py; docs/results/sheets.md,
# "Noisy pages"): the first confident errors appear at noise sigma 50 and at noise/paper 0.25-0.3,
# none below. The limits keep a margin for real pens and scanners the simulator lacks:
# - sigma 30 levels (0.6 of the first errors): the page is then smoothed by a Gaussian of
#   1.7 px, which keeps 87 % of the contrast of a 0.4 mm ballpoint stroke (5 px at 300 dpi);
#   more smoothing starts to reshape thin strokes and close narrow gaps between them;
# - a fifth of the paper's brightness (a dim photo needs less noise to drown its ink).
TRUST_SIGMA = 30.0
TRUST_SHARE = 0.20


@dataclass(frozen=True)
class PageNoise:
    """The noise measured on a page, before any smoothing.

    tiles: robust sigma of pixel noise per TILE_PX tile, in 8-bit levels.
    impulses: share of pixels standing alone far from their neighbours (salt and pepper).
    """

    tiles: np.ndarray
    impulses: float

    @property
    def sigma(self) -> float:
        """The page's typical noise (median tile), 8-bit levels."""
        return float(np.median(self.tiles))

    @property
    def clean(self) -> bool:
        return self._smoothing_sigma() < CLEAN_SIGMA and self.impulses < CLEAN_IMPULSES

    def _smoothing_sigma(self) -> float:
        return float(np.quantile(self.tiles, _SMOOTH_QUANTILE))

    @property
    def blur_px(self) -> float:
        """Gaussian blur the page gets before ink is decided (0 for a clean page)."""
        if self.clean:
            return 0.0
        return float(min(max(self._smoothing_sigma() * _BLUR_PER_LEVEL, 0.8), MAX_BLUR_PX))

    def sigma_at(self, x0: int, y0: int, x1: int, y1: int) -> float:
        """Noise (8-bit levels) of the tiles under a page region: their median."""
        rows, cols = self.tiles.shape
        ty0 = min(max(y0 // TILE_PX, 0), rows - 1)
        tx0 = min(max(x0 // TILE_PX, 0), cols - 1)
        ty1 = max(min(-(-y1 // TILE_PX), rows), ty0 + 1)  # ceil, within the page
        tx1 = max(min(-(-x1 // TILE_PX), cols), tx0 + 1)
        return float(np.median(self.tiles[ty0:ty1, tx0:tx1]))


def _tile_sigmas(image: np.ndarray, median: np.ndarray, tile: int) -> np.ndarray:
    """Per-tile noise sigma of `image` (tiles of `tile` px), from its darker-than-local pixels.

    `median` is the image's 5x5 median, which follows paper, stroke interiors and edges of
    strokes at least 3 px wide, so what is left is noise. Only its dark side is used: on paper
    the scanner has clipped at white, the light half of the noise is gone but the dark half,
    the half that looks like ink, is intact; its 25th percentile is -0.674 sigma either way.
    """
    step = max(tile // _TILE_SAMPLES, 1)
    rows, cols = image.shape[0] // tile, image.shape[1] // tile
    grid = (image[:rows * tile:step, :cols * tile:step].astype(np.float32)
            - median[:rows * tile:step, :cols * tile:step])
    per = tile // step
    blocks = grid.reshape(rows, per, cols, per).transpose(0, 2, 1, 3).reshape(rows, cols, -1)
    rank = blocks.shape[2] // 4
    return np.maximum(-np.partition(blocks, rank, axis=2)[:, :, rank], 0.0) / 0.674


def measure(page: np.ndarray) -> PageNoise:
    """Noise of a uint8 page, pixel-level and grainy alike, and its isolated impulses.

    Grain a few pixels wide (an upsampled photo, a camera's own smoothing, JPEG blocks) hardly
    shows pixel to pixel; halving the page turns it into pixel noise, while halving white
    noise halves its sigma. The largest reading at full, half and quarter size (scaled back
    by 2 and 4) is kept: the same for white noise, larger for grain.
    """
    if min(page.shape) < TILE_PX:
        raise ValueError(f"page of shape {page.shape} is smaller than one noise tile")
    median = cv2.medianBlur(page, 5)
    tiles = _tile_sigmas(page, median, TILE_PX)
    image = page.astype(np.float32)
    for factor in (2, 4):
        image = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2),
                           interpolation=cv2.INTER_AREA)
        coarse = factor * _tile_sigmas(image, cv2.medianBlur(image, 5), TILE_PX // factor)
        rows, cols = min(tiles.shape[0], coarse.shape[0]), min(tiles.shape[1], coarse.shape[1])
        tiles = np.maximum(tiles[:rows, :cols], coarse[:rows, :cols])
    # Ink edges only ever add to a tile's reading (a tile full of thin print or digit edges
    # reads noisier than it is), so each tile keeps the lowest reading around it: noise
    # varies over a page far more slowly than three tiles.
    tiles = cv2.erode(tiles.astype(np.float32), np.ones((3, 3), np.uint8),
                      borderType=cv2.BORDER_REPLICATE)
    step = 3
    spikes = np.abs(page[::step, ::step].astype(np.int16) - median[::step, ::step])
    # Gaussian noise puts some pixels far from their neighbours too; only spikes well beyond
    # it count as impulses.
    limit = max(IMPULSE_STEP, 4.0 * float(np.median(tiles)))
    impulses = float(np.count_nonzero(spikes > limit)) / spikes.size
    return PageNoise(tiles=tiles, impulses=impulses)


def smooth(page: np.ndarray, noise: PageNoise) -> np.ndarray:
    """The page with its noise reduced; a clean page is returned as it is."""
    if noise.clean:
        return page
    out = cv2.medianBlur(page, 3)
    return cv2.GaussianBlur(out, (0, 0), noise.blur_px)


def distrust(sigmas: Sequence[float], papers: Sequence[float]) -> list[str]:
    """Per cell, why its reading cannot be trusted ('' where it can), from the scan's noise.

    `sigmas` and `papers` are each cell's noise before smoothing and its paper brightness in
    8-bit levels. A cell is trusted while its noise is at most TRUST_SIGMA and at most
    TRUST_SHARE of its paper's brightness. When the page's median cell is beyond that, every
    cell is distrusted (the page is named as the reason); otherwise only the cells of its
    noisiest parts are.
    """
    sigma = np.asarray(sigmas, np.float64)
    paper = np.maximum(np.asarray(papers, np.float64), 16.0)
    if sigma.size == 0:
        return []
    page_sigma, page_paper = float(np.median(sigma)), float(np.median(paper))
    if page_sigma > min(TRUST_SIGMA, TRUST_SHARE * page_paper):
        reason = (f"page too noisy to read safely (noise sigma {page_sigma:.0f}/255 on "
                  f"paper {page_paper:.0f}/255)")
        return [reason] * sigma.size
    return [f"too noisy here to read safely (noise sigma {s:.0f}/255 on paper {p:.0f}/255)"
            if s > min(TRUST_SIGMA, TRUST_SHARE * p) else ""
            for s, p in zip(sigma, paper, strict=True)]
