"""Sheet reader accuracy on simulated photos of filled templates (MNIST test digits).

For each sheet: simulate (random rotation, perspective, lighting, shadow, blur, noise, JPEG,
margin crop, 150-600 dpi), read it with `read_page`, compare with the simulator's truth.
Side by side, the same model reads the same MNIST digits directly (the clean baseline), so
the ratio shows what the paper-and-camera path costs.

    python benchmarks/sheet_accuracy.py --sheets 200 [--model PATH] [--json out.json]

Noisy pages: `--noise 0 45 60` reads the same sheets once per noise level (8-bit sigma, added
to the image before it is encoded; `--noise-kind` picks the kind, see
braintank.sheets.simulating.simulate) and prints one summary per level, with the confident
errors counted: cells marked `ok` whose digit is wrong, and empty cells read as a digit.
`--dpi 300 --png` gives flat 300-dpi scans.

Phone mishaps: `--cover-markers N` hides N of the 4 corner markers under a thumb or a fold
(every box stays visible), `--desk` photographs the page small (25-35% of the width) in a
4000 x 3000 photo of a cluttered desk, `--cross-lines` writes every digit against or across a
line of its box (normally 15%), `--cut-edge SIDE` cuts the photo's edge through the outermost
boxes on that side (`any`: left, top or right; the boxes cut off must come back as review,
"not in the photo"), and `--dpi 60` gives a low-resolution photo (below the reader's floor no
cell may be `ok`).

Other writers: `--writers mfeat` fills the sheets with the 2,000 digits of Dutch writers
(mfeat), `optdigits-cv` / `optdigits-windep` with optdigits' writers, and `european` with
digits drawn stroke by stroke in European conventions (hooked and open 4s, crossed 7s,
long-flag 1s, g-tailed 9s, flat-topped 3s and 6s, looped 2s; `data/stroke_digits.py`, from a
seed no training run uses: the same generator the default model learnt from, so it shows
that the conventions are read, not how unseen writers fare).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from braintank.data import load_split
from braintank.data.mfeat import load_mfeat
from braintank.data.optdigits import load_optdigits
from braintank.data.stroke_digits import draw_digits
from braintank.errors import BraintankError
from braintank.inference.classifier import DigitClassifier
from braintank.sheets.printing.layout import make_layout
from braintank.sheets.reading.reader import NOT_IN_PHOTO, read_page
from braintank.sheets.simulating.simulate import CROSS_RATE, NOISE_KINDS, Noise, simulate_sheet
from braintank.sheets.simulating.simulate_mishaps import covered_markers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from other_writers import as_mnist  # noqa: E402

WRITERS = ("mnist", "mfeat", "optdigits-cv", "optdigits-windep", "european")
# The conventions MNIST's writers rarely used (see data/stroke_digits.py), per digit.
EUROPEAN = {0: ("oval",), 1: ("long-flag", "flag-base"), 2: ("loop", "z"),
            3: ("flat-top",), 4: ("hooked", "open"), 5: ("classic",), 6: ("flat-top",),
            7: ("crossed", "crossed-hooked"), 8: ("figure", "snowman"), 9: ("g", "curved")}
EUROPEAN_SEED = 4_242_424  # training draws from (seed, epoch, 0x5EED): never this one


def writer_digits(writers: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """uint8 [N, 28, 28] digits (ink 255, framed the MNIST way) and labels of `writers`."""
    if writers == "mnist":
        return load_split("mnist", split)
    if writers == "european":
        ink, labels = draw_digits(2000, np.random.default_rng(EUROPEAN_SEED), EUROPEAN)
    elif writers == "mfeat":
        data = load_mfeat()
        ink, labels = as_mnist(data.as_ink()), data.labels
    else:
        data = load_optdigits(writers.split("-")[1])
        ink, labels = as_mnist(data.bitmaps.astype(np.float32)), data.labels
    return np.rint(ink * 255).astype(np.uint8), labels


def score_sheet(sheet, reading, counts: Counter) -> None:
    """Add one sheet's cell outcomes to `counts`. A box the photo cut off counts only as cut:
    listed for review as not in the photo, or not."""
    got = {(c.row, c.col): c for c in reading.cells}
    counts["cells_expected"] += len(sheet.truth)
    counts["cells_located"] += sum(key in got for key in sheet.truth)
    for key, kind in sheet.kinds.items():
        cell = got[key]
        if cell.reason == NOT_IN_PHOTO or key in sheet.outside:
            counts["cut"] += key in sheet.outside
            counts["cut_listed"] += key in sheet.outside and cell.status == "review" \
                and cell.reason == NOT_IN_PHOTO
            counts["shown_listed_as_cut"] += key not in sheet.outside
            continue
        score_cell(counts, kind, sheet.truth[key], cell)


def score_cell(counts: Counter, kind: str, truth: int | None, cell) -> None:
    """Add one cell's outcome (`kind` and `truth` as the simulator wrote it) to `counts`."""
    if kind == "empty":
        counts["empty"] += 1
        counts["empty_detected"] += cell.status == "empty"
        counts["empty_read_as_digit"] += cell.status == "ok"
    elif kind == "digit":
        counts["written"] += 1
        counts["written_review"] += cell.status == "review"
        counts["written_called_empty"] += cell.status == "empty"
        counts["raw_right"] += cell.guess == truth
        counts["ok"] += cell.status == "ok"
        counts["ok_right"] += cell.status == "ok" and cell.digit == truth
        counts["ok_wrong"] += cell.status == "ok" and cell.digit != truth
    else:
        counts["special"] += 1
        counts["special_review"] += cell.status == "review"
        counts["special_read_as_digit"] += cell.status != "review"


def summary(counts: Counter, baseline_right: int, seconds: float, sheets: int) -> dict:
    def ratio(a: str, b: str) -> float:
        return counts[a] / max(counts[b], 1)

    return {
        "sheets": sheets,
        "sheets_unreadable": counts["unreadable"],
        "cells_located": ratio("cells_located", "cells_expected"),
        "cells_located_all_sheets": counts["cells_located"] / max(
            counts["cells_expected"] + counts["cells_on_unreadable"], 1),
        "ok_accuracy": ratio("ok_right", "ok"),
        "written_review_share": ratio("written_review", "written"),
        "written_called_empty": ratio("written_called_empty", "written"),
        "empty_detected": ratio("empty_detected", "empty"),
        "raw_accuracy": ratio("raw_right", "written"),
        "clean_mnist_accuracy_same_digits": baseline_right / max(counts["written"], 1),
        "odd_marks_to_review": ratio("special_review", "special"),
        "cut_boxes_listed": ratio("cut_listed", "cut"),
        # Confident errors: a score nobody will look at that is wrong.
        "confident_errors": counts["ok_wrong"] + counts["empty_read_as_digit"]
        + counts["written_called_empty"] + counts["special_read_as_digit"]
        + counts["cut"] - counts["cut_listed"],
        "counts": dict(counts),
        "read_seconds_per_sheet": seconds / max(sheets, 1),
    }


def run(args, images, labels, clf, layout, noise: Noise | None) -> dict:
    """Read `args.sheets` simulated sheets (the same ones for every noise level)."""
    rng = np.random.default_rng(args.seed)
    counts: Counter = Counter()
    baseline_right, seconds = 0, 0.0
    label = f"noise {noise.sigma:g} {noise.kind}" if noise else "no added noise"
    for i in range(args.sheets):
        scan = {"dpi": args.dpi, "angle": float(rng.uniform(-3, 3))} if args.dpi else {}
        covered = covered_markers(args.cover_markers, rng) if args.cover_markers else ()
        sheet = simulate_sheet(layout, images, labels, rng, special_rate=args.special_rate,
                               jpeg=not args.png, noise=noise, covered=covered,
                               cover_style=args.cover_style, desk=args.desk,
                               cross_rate=1.0 if args.cross_lines else CROSS_RATE,
                               cut=args.cut_edge, **scan)
        start = time.perf_counter()
        try:
            reading = read_page(sheet.image, clf, layout)
        except BraintankError as exc:
            seconds += time.perf_counter() - start
            counts["unreadable"] += 1
            counts["cells_on_unreadable"] += len(sheet.truth)
            print(f"{label}: sheet {i} ({sheet.dpi:.0f} dpi) unreadable: {exc}", file=sys.stderr)
            continue
        seconds += time.perf_counter() - start
        score_sheet(sheet, reading, counts)
        # The same digits clean: those the photo shows (a cut-off box is not read).
        index = np.array([i for key, i in sheet.sources.items() if key not in sheet.outside])
        clean = clf.predict_batch28(images[index].astype(np.float32) / 255.0).argmax(axis=1)
        baseline_right += int((clean == labels[index]).sum())
        if (i + 1) % 20 == 0:  # a running summary, so a long run can be read part-way
            part = summary(counts, baseline_right, seconds, i + 1)
            part.pop("counts")
            print(label, json.dumps(part), file=sys.stderr)
    result = summary(counts, baseline_right, seconds, args.sheets)
    result["noise"] = {"sigma": noise.sigma, "kind": noise.kind} if noise else None
    result["cover_markers"] = args.cover_markers
    result["desk"] = args.desk
    result["cross_lines"] = args.cross_lines
    result["cut_edge"] = args.cut_edge
    result["dpi"] = args.dpi
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=200, help="number of simulated sheets")
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--special-rate", type=float, default=0.03,
                        help="share of cells holding a dash, two digits, a struck digit, a dot")
    parser.add_argument("--seed", type=int, default=2024, help="simulator seed")
    parser.add_argument("--noise", type=float, nargs="+", default=[0.0],
                        help="added noise sigma(s) in 8-bit levels; one summary per level")
    parser.add_argument("--noise-kind", default="gaussian", choices=NOISE_KINDS)
    parser.add_argument("--dpi", type=float, help="fixed scan resolution, nearly straight "
                        "(default: random photos, 150-600 dpi, any angle up to 15 degrees)")
    parser.add_argument("--png", action="store_true", help="encode pages as PNG, not JPEG")
    parser.add_argument("--cover-markers", type=int, default=0, choices=range(5),
                        help="corner markers hidden on each sheet (random ones)")
    parser.add_argument("--cover-style", default="mixed", choices=("thumb", "fold", "mixed"),
                        help="what hides them")
    parser.add_argument("--desk", action="store_true",
                        help="the page small in a 4000 x 3000 photo of a cluttered desk")
    parser.add_argument("--cross-lines", action="store_true",
                        help="every digit against or across a line of its box (normally 15%%)")
    parser.add_argument("--cut-edge", choices=("left", "top", "right", "bottom", "any"),
                        help="the photo's edge cuts through the outermost boxes on that side")
    parser.add_argument("--writers", default="mnist", choices=WRITERS,
                        help="whose digits fill the sheets (default: MNIST test)")
    parser.add_argument("--split", default="test", choices=("test", "train"),
                        help="MNIST split the digits come from (calibrate on train)")
    parser.add_argument("--json", help="also write the summary here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    images, labels = writer_digits(args.writers, args.split)
    clf = DigitClassifier.load(args.model)
    layout = make_layout(10, 10, "Benchmark")
    results = []
    for sigma in args.noise:
        noise = Noise(sigma, args.noise_kind) if sigma > 0 else None
        result = run(args, images, labels, clf, layout, noise)
        result["model"] = clf.name
        result["writers"] = args.writers
        result["threshold"] = float(clf.policy.threshold)
        results.append(result)
    text = json.dumps(results[0] if len(results) == 1 else results, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
