"""Calibrate the sheet reader's noise trust rule: errors against measured noise, rule off.

Simulated pages of MNIST **training** digits (the test digits stay for the accuracy benchmark)
are scanned flat at 300 dpi (PNG) and photographed (150-600 dpi, JPEG), with Gaussian noise of
several sigmas added. Each page is read with the trust rule off, and every written or empty
cell is filed under the noise the reader measured there: in 8-bit levels, and as a share of
the paper's brightness (`noise.TRUST_SIGMA` and `noise.TRUST_SHARE` are in these units). The
tables show where confident errors start: cells marked `ok` with a wrong digit, written cells
called empty, empty cells read as a digit.

    python benchmarks/sheet_noise_trust.py [--pages 4] [--sigmas 0 10 20 30 40 50 60 80 100]
                                           [--modes scan photo] [--pen 5]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict

import numpy as np
import torch

from braintank.data import load_split
from braintank.errors import BraintankError
from braintank.inference.classifier import DigitClassifier
from braintank.sheets.locating import noise
from braintank.sheets.printing.layout import make_layout
from braintank.sheets.reading import reader
from braintank.sheets.simulating.simulate import Noise, scan_sheet, simulate_sheet

SHARE_EDGES = (0.0, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25, 0.30, np.inf)
SIGMA_EDGES = (0.0, 4, 8, 12, 16, 20, 24, 28, 32, 40, 50, np.inf)


def _bucket(edges: tuple, value: float) -> int:
    return int(np.searchsorted(edges, value, side="right")) - 1


def _print_table(title: str, edges: tuple, table: dict[int, Counter]) -> None:
    print(f"{title:>14} {'written':>8} {'ok':>6} {'ok wrong':>9} {'wrong %':>8} "
          f"{'called empty':>13} {'empty':>6} {'empty->digit':>13}")
    for b, counts in sorted(table.items()):
        span = f"{edges[b]:g}-{edges[b + 1]:g}"
        wrong = 100 * counts["ok_wrong"] / max(counts["ok"], 1)
        print(f"{span:>14} {counts['written']:8d} {counts['ok']:6d} {counts['ok_wrong']:9d} "
              f"{wrong:8.2f} {counts['called_empty']:13d} {counts['empty']:6d} "
              f"{counts['empty_read_as_digit']:13d}")


def _page(mode: str, layout, images, labels, rng, sigma: float, pen_px: int | None):
    found = Noise(sigma) if sigma > 0 else None
    if mode == "scan":
        return scan_sheet(layout, images, labels, rng, found,
                          angle=float(rng.uniform(-2, 2)), empty_rate=0.2, pen_px=pen_px)
    return simulate_sheet(layout, images, labels, rng, empty_rate=0.2, noise=found,
                          pen_px=pen_px)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="pages per sigma and mode")
    parser.add_argument("--sigmas", type=float, nargs="+",
                        default=[0, 10, 20, 30, 40, 50, 60, 80, 100])
    parser.add_argument("--modes", nargs="+", default=["scan", "photo"],
                        choices=("scan", "photo"))
    parser.add_argument("--pen", type=int, help="redraw digits with a pen this many px wide "
                        "(a ballpoint at 300 dpi: 4-6), instead of scaled-up MNIST strokes")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--model", help="model file (default: the shipped model)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    images, labels = load_split("mnist", "train")
    clf = DigitClassifier.load(args.model)
    layout = make_layout(10, 10, "Calibration")
    noise.TRUST_SIGMA = noise.TRUST_SHARE = np.inf  # read all, to see where it stops being safe
    by_share: dict[int, Counter] = defaultdict(Counter)
    by_sigma: dict[int, Counter] = defaultdict(Counter)
    for mode in args.modes:
        for sigma in args.sigmas:
            rng = np.random.default_rng(args.seed)
            for _ in range(args.pages):
                sheet = _page(mode, layout, images, labels, rng, sigma, args.pen)
                try:
                    placed = reader.rectify(sheet.image)
                except BraintankError as exc:
                    print(f"{mode} sigma {sigma:g}: unreadable ({exc})", file=sys.stderr)
                    continue
                cuts = reader.cut_cells(placed.page, placed.ink, layout)
                for cut, cell in zip(cuts, reader.classify(cuts, layout, clf), strict=True):
                    truth = sheet.truth[(cell.row, cell.col)]
                    share = cut.scan_noise / max(cut.paper, 16.0)
                    for counts in (by_share[_bucket(SHARE_EDGES, share)],
                                   by_sigma[_bucket(SIGMA_EDGES, cut.scan_noise)]):
                        _count(counts, cell, truth)
            print(f"{mode} sigma {sigma:g} done", file=sys.stderr)
    _print_table("noise/paper", SHARE_EDGES, by_share)
    print()
    _print_table("noise sigma", SIGMA_EDGES, by_sigma)


def _count(counts: Counter, cell, truth: int | None) -> None:
    if truth is None:
        counts["empty"] += 1
        counts["empty_read_as_digit"] += cell.status == "ok"
    else:
        counts["written"] += 1
        counts["ok"] += cell.status == "ok"
        counts["ok_wrong"] += cell.status == "ok" and cell.digit != truth
        counts["called_empty"] += cell.status == "empty"


if __name__ == "__main__":
    main()
