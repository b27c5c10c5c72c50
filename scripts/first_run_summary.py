"""The last screen of `scripts/main.sh`: what the first run made, its numbers, and where.

Compares the CSV read from the simulated photo with the digits really written (truth.csv):
every box is either right, sent to review, or — the one thing the client cannot accept —
wrong and marked ok.
Usage: python scripts/first_run_summary.py RUN_DIR --seconds S [--install-seconds S]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path


def read_rows(path: Path) -> dict[tuple[str, str], dict]:
    with path.open(newline="") as f:
        return {(row["row"], row["col"]): row for row in csv.DictReader(f)}


def sheet_counts(scores: Path, truth: Path) -> dict[str, int]:
    read, true = read_rows(scores), read_rows(truth)
    counts = {"boxes": len(true), "ok right": 0, "ok wrong": 0, "review": 0,
              "empty right": 0, "empty wrong": 0}
    for key, written in true.items():
        row = read.get(key, {"status": "missing", "digit": ""})
        if row["status"] == "ok":
            counts["ok right" if row["digit"] == written["digit"] else "ok wrong"] += 1
        elif row["status"] == "empty":
            counts["empty right" if written["digit"] == "" else "empty wrong"] += 1
        else:
            counts["review"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--seconds", type=int, required=True, help="wall time after install")
    parser.add_argument("--install-seconds", type=int, default=0)
    args = parser.parse_args()
    run = args.run
    train = json.loads((run / "train" / "summary.json").read_text())
    counts = sheet_counts(run / "scores.csv", run / "truth.csv")
    print(f"\n== first run done in {args.seconds} s (+{args.install_seconds} s install check)")
    print(f"trained '{train['model']}': {100 * train['test_accuracy']:.2f}% on MNIST test "
          f"after {train['train_seconds']} s of training ({train['threads']} threads)")
    print(f"sheet: {counts['boxes']} boxes -> {counts['ok right']} read ok and right, "
          f"{counts['ok wrong']} read ok but wrong, {counts['review']} sent to review, "
          f"{counts['empty right'] + counts['empty wrong']} empty "
          f"({counts['empty wrong']} of them not empty)")
    print("outputs:")
    for path, what in (
            ("train/model.pt", "the trained network with its calibration"),
            ("train/curves.png", "learning curves"),
            ("train/summary.json", "training summary (train_seconds, test accuracy)"),
            ("eval/confusion.png", "confusion matrix of the test digits"),
            ("eval/report.json", "per-class precision, recall, F1, calibration"),
            ("sheet/sheet.pdf", "the printable score sheet (A4)"),
            ("photo.jpg", "the simulated phone photo of the filled sheet"),
            ("truth.csv", "the digits really written on it"),
            ("scores.csv", "the digits read from the photo (status ok / review / empty)"),
            ("sheets.db", "results database: `braintank sheet review --db` it, then export")):
        mark = "" if (run / path).exists() else "  (missing)"
        print(f"  {run / path}  {what}{mark}")


if __name__ == "__main__":
    main()
