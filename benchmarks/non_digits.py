"""Marks that are not one digit must never come back `ok`: on the predict path, and on sheets.

1,000 marks of every kind in `braintank.data.non_digits` ("10" and struck-out digits made of
MNIST *test* digits, scribbles, zigzags, loops, letters, dashes, crosses, hatching, ticks),
drawn with a seed no training run uses, then (1) drawn as dark ink on a photo-like page and
read through `DigitClassifier.predict` (the path of `braintank predict`, the web API and the
draw page) and (2) written into the boxes of simulated phone photos of score sheets and read
by the sheet reader. Beside them, MNIST test digits through the same predict path give the
price: the share accepted with the full decision, and without the shape rules.

    python benchmarks/non_digits.py [MODEL ...] [--marks 1000] [--mnist 2000] [--sheets 12]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from other_writers import on_paper  # noqa: E402

from braintank.data import load_split  # noqa: E402
from braintank.data.non_digits import KINDS, draw_marks  # noqa: E402
from braintank.evaluation.review_policy import OK  # noqa: E402
from braintank.inference.classifier import DigitClassifier, default_model_path  # noqa: E402
from braintank.sheets.printing.layout import make_layout  # noqa: E402
from braintank.sheets.reading.reader import read_page  # noqa: E402
from braintank.sheets.simulating.simulate import simulate_sheet  # noqa: E402

SEED = 20261205  # no training run draws marks from this seed


def predict_all(clf: DigitClassifier, pages: list[np.ndarray]) -> list:
    out = []
    for start in range(0, len(pages), 256):
        out += clf.predict(pages[start:start + 256])
    return out


def marks_on_paper(clf, marks: np.ndarray, kinds: list[str]) -> dict:
    readings = predict_all(clf, on_paper(marks, seed=SEED % 1000))
    ok = Counter(kind for kind, r in zip(kinds, readings, strict=True) if r.status == OK)
    reasons = Counter(r.reason.split(":")[0] for r in readings if r.status != OK)
    return {"n": len(kinds), "ok": sum(ok.values()), "ok_by_kind": dict(ok),
            "reasons": dict(reasons.most_common())}


def marks_on_sheets(clf, marks: np.ndarray, count: int) -> dict:
    """Sheets whose every written box holds a mark (label -1): none may be `ok`."""
    layout = make_layout(10, 10)
    digits = np.rint(marks * 255).astype(np.uint8)
    labels = np.full(len(digits), -1)
    rng = np.random.default_rng(SEED)
    counts = Counter()
    for _ in range(count):
        sheet = simulate_sheet(layout, digits, labels, rng, empty_rate=0.1)
        got = {(c.row, c.col): c for c in read_page(sheet.image, clf, layout).cells}
        for key, kind in sheet.kinds.items():
            if kind != "digit":
                continue
            counts["marks"] += 1
            counts[got[key].status] += 1
    return dict(counts)


def mnist_price(clf, images: np.ndarray, labels: np.ndarray) -> dict:
    """MNIST test digits on paper through predict: accepted and right, with and without the
    shape rules (a digit the rules doubt is counted as the network alone would decide)."""
    readings = predict_all(clf, on_paper(images.astype(np.float32) / 255.0, seed=7))
    accepted = np.array([r.status == OK for r in readings])
    doubted = np.array([r.reason != "" and not r.reason.startswith(("unsure", "not a digit"))
                        for r in readings])
    net_only = accepted | (doubted & np.array([r.confidence >= clf.policy.threshold
                                               for r in readings]))
    right = np.array([r.digit == y for r, y in zip(readings, labels, strict=True)])
    return {"n": len(labels), "accepted": 100 * accepted.mean(),
            "accepted_without_shape_rules": 100 * net_only.mean(),
            "right_among_accepted": 100 * right[accepted].mean(),
            "raw": 100 * right.mean()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model files (default: the shipped model)")
    parser.add_argument("--marks", type=int, default=1000)
    parser.add_argument("--mnist", type=int, default=2000, help="MNIST test digits (0: skip)")
    parser.add_argument("--sheets", type=int, default=12, help="sheets of marks (0: skip)")
    parser.add_argument("--json", help="write all numbers to this JSON file")
    args = parser.parse_args(argv)
    images, labels = load_split("mnist", "test", allow_download=False)
    marks, kinds = draw_marks(args.marks, np.random.default_rng(SEED),
                              images.astype(np.float32) / 255.0, KINDS)
    pick = np.random.default_rng(SEED).permutation(len(labels))[:args.mnist]
    results = {}
    for model in args.models or [str(default_model_path())]:
        clf, started = DigitClassifier.load(model), time.perf_counter()
        row = {"marks on paper": marks_on_paper(clf, marks, kinds)}
        if args.sheets:
            row["marks on sheets"] = marks_on_sheets(clf, marks, args.sheets)
        if args.mnist:
            row["mnist on paper"] = mnist_price(clf, images[pick], labels[pick])
        row["seconds"] = round(time.perf_counter() - started, 1)
        results[model] = row
        print(f"## {Path(model).name}\n{json.dumps(row, indent=1)}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
