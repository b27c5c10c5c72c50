"""Where reading breaks down as a photo's resolution falls: the measurement behind the reader's
resolution floor (`reader.MIN_BOX_PX`).

Simulated phone photos of filled templates (MNIST test digits, some odd marks) at fixed dpi,
read with the floor switched off; every cell is counted by the photo pixels its box really
had (from the simulator's true page -> photo map), so templates with other box sizes land in
the same buckets.

    python benchmarks/sheet_resolution.py --sheets 12 --layouts 10x10 16x10 --dpi 45 50 60 80

With --keep-floor the floor stays on, to check that below it no cell is `ok` and no written
cell is called empty.

For each bucket of box sizes: written cells, share read right among `ok`, wrong `ok`, share
sent to review, written called empty, empty cells read as a digit, empty cells sent to
review, odd marks read as a digit.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sheet_accuracy import score_cell  # noqa: E402

from braintank.data import load_split  # noqa: E402
from braintank.errors import BraintankError  # noqa: E402
from braintank.inference.classifier import DigitClassifier  # noqa: E402
from braintank.sheets.locating.rectify import boxes_in_image  # noqa: E402
from braintank.sheets.printing.layout import make_layout  # noqa: E402
from braintank.sheets.reading import reader  # noqa: E402
from braintank.sheets.simulating.simulate import simulate_sheet  # noqa: E402

EDGES = (0, 20, 25, 30, 35, 40, 45, 50, 60, 80, 120, 10_000)


def _bucket(px: float) -> str:
    for lo, hi in zip(EDGES, EDGES[1:], strict=False):
        if px < hi:
            return f"{lo}-{hi}" if hi < EDGES[-1] else f"{lo}+"
    return "?"


def row(name: str, c: Counter) -> dict:
    return {"box_px": name, "written": c["written"],
            "ok_right": round(c["ok_right"] / max(c["ok"], 1), 4), "ok_wrong": c["ok_wrong"],
            "review": round(c["written_review"] / max(c["written"], 1), 4),
            "called_empty": c["written_called_empty"], "empty": c["empty"],
            "empty_as_digit": c["empty_read_as_digit"],
            "empty_to_review": c["empty"] - c["empty_detected"] - c["empty_read_as_digit"],
            "odd_as_digit": c["special_read_as_digit"], "pages_unreadable": c["unreadable"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=12, help="sheets per layout and dpi")
    parser.add_argument("--layouts", nargs="+", default=["10x10"], help="ROWSxCOLS templates")
    parser.add_argument("--dpi", type=float, nargs="+",
                        default=[45, 50, 55, 60, 65, 70, 80, 100, 150])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--keep-floor", action="store_true",
                        help="read with the reader's floor on (to see what it lets through)")
    parser.add_argument("--json", help="also write the table here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    images, labels = load_split("mnist", "test")
    clf = DigitClassifier.load(args.model)
    if not args.keep_floor:
        reader.MIN_BOX_PX = 0.0  # read everything, to see where it stops being safe
    buckets: dict[str, Counter] = defaultdict(Counter)
    for spec in args.layouts:
        rows, cols = (int(v) for v in spec.lower().split("x"))
        layout = make_layout(rows, cols, "Resolution")
        boxes = [c.box for c in layout.cells]
        for dpi in args.dpi:
            rng = np.random.default_rng(args.seed)
            for _ in range(args.sheets):
                sheet = simulate_sheet(layout, images, labels, rng, special_rate=0.03, dpi=dpi)
                _, px = boxes_in_image(np.linalg.inv(sheet.matrix), sheet.image.shape, boxes)
                try:
                    reading = reader.read_page(sheet.image, clf, layout)
                except BraintankError as exc:
                    buckets[_bucket(float(np.median(px)))]["unreadable"] += 1
                    print(f"{spec} {dpi:g} dpi: unreadable ({exc})", file=sys.stderr)
                    continue
                for cell, side in zip(reading.cells, px, strict=True):
                    key = (cell.row, cell.col)
                    score_cell(buckets[_bucket(side)], sheet.kinds[key], sheet.truth[key], cell)
            print(f"{spec} {dpi:g} dpi done", file=sys.stderr)
    order = sorted(buckets, key=lambda b: float(b.split("-")[0].rstrip("+")))
    table = [row(name, buckets[name]) for name in order]
    text = json.dumps({"model": clf.name, "threshold": float(clf.policy.threshold),
                       "floor_px": reader.MIN_BOX_PX,
                       "layouts": args.layouts, "dpi": args.dpi, "sheets": args.sheets,
                       "by_box_px": table}, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
