"""The box-grid fallback alone, on random templates: placed right, refused, or placed wrong.

Each sheet has a random size (1x1 to 30x16), 0-4 corner markers covered, and in 30% of cases
sits small on a cluttered desk. The page is placed by `locate_by_grid` even when the markers
would do (the markers found only help), and the result is checked against the simulator's
truth: the code read and the largest box-corner error in 300-dpi page pixels.

    python benchmarks/sheet_grid_placement.py --sheets 200 [--seed 600]
"""

from __future__ import annotations

import argparse
import sys
import time

import cv2
import numpy as np

from braintank.data import load_split
from braintank.errors import BraintankError
from braintank.sheets.locating.gridfit import locate_by_grid
from braintank.sheets.locating.markers import detect_markers
from braintank.sheets.printing.layout import make_layout
from braintank.sheets.simulating.simulate import simulate_sheet
from braintank.sheets.simulating.simulate_mishaps import covered_markers

# A box corner further than this from the truth would risk the cell reader missing its frame.
WRONG_PX = 4.0


def corner_error(layout, truth: np.ndarray, found: np.ndarray) -> float:
    corners = np.array([[[x, y]] for c in layout.cells for x, y in
                        ((c.box[0], c.box[1]), (c.box[2], c.box[3]))], np.float64)
    back = cv2.perspectiveTransform(cv2.perspectiveTransform(corners, truth), found)
    return float(np.abs(back - corners).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=200)
    parser.add_argument("--seed", type=int, default=600, help="first sheet's seed")
    args = parser.parse_args()
    images, labels = load_split("mnist", "test")
    placed = refused = wrong = 0
    worst, seconds = 0.0, 0.0
    for seed in range(args.seed, args.seed + args.sheets):
        rng = np.random.default_rng(seed)
        layout = make_layout(int(rng.integers(1, 31)), int(rng.integers(1, 17)), "Stress")
        count = int(rng.integers(0, 5))
        desk = bool(rng.random() < 0.3)
        covered = covered_markers(count, rng)
        sheet = simulate_sheet(layout, images, labels, rng, covered=covered,
                               cover_style="mixed", desk=desk, special_rate=0.03)
        start = time.perf_counter()
        try:
            fit = locate_by_grid(sheet.image, detect_markers(sheet.image), None)
        except BraintankError as exc:
            refused += 1
            print(f"seed {seed} {layout.layout_id} refused: {exc}", file=sys.stderr)
            continue
        finally:
            seconds += time.perf_counter() - start
        error = corner_error(layout, sheet.matrix, fit.matrix)
        if fit.code[:2] != (layout.rows, layout.cols) or error > WRONG_PX:
            wrong += 1
            print(f"seed {seed} {layout.layout_id} WRONG: {fit.code} {error:.1f} px",
                  file=sys.stderr)
        else:
            placed += 1
            worst = max(worst, error)
    print(f"{args.sheets} sheets: {placed} placed right (worst box corner {worst:.2f} px), "
          f"{refused} refused, {wrong} placed wrong; {seconds / args.sheets:.2f} s per sheet "
          "(markers and grid)")


if __name__ == "__main__":
    main()
