"""Learning from corrections, measured on a simulated client: optdigits `tra` (30 writers who
are not MNIST's) or `mfeat` (Dutch writers) split in two seeded halves.

This season: the first half is written into simulated sheets (photographed like
`sheet_accuracy.py`'s: rotation, perspective, light, blur, noise, JPEG), read by the real
reader into a real store, and reviewed by a simulated person who answers every written cell
with the truth (as `braintank sheet review --all`: Enter on a right guess, the digit on a
wrong one), or with `--flagged-only` only the cells the reader sent to review. `finetune`
learns from that store. Next week: the second half, written the same way, is read with the
old and with the new model. Reported before/after: on next week's
sheets (raw accuracy, share sent to review, accuracy among `ok`), on the held-out share of
this season's corrections, on MNIST test, on optdigits `windep` (13 other writers; used
for nothing but this report) and on all of mfeat, the MNIST way and as ink on paper through
`predict`. Batch norm keeps the base model's statistics (`--moving-norm`: the old way).

    python benchmarks/finetune_client.py [--writers tra|mfeat] [--flagged-only] [--model M]
        [--epochs 5] [--seed 0] [--moving-norm] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sheets"))

from other_writers import as_mnist, build_sets, readings, scores  # noqa: E402
from reviewer import review_with_truth  # noqa: E402

from braintank.data.mfeat import load_mfeat  # noqa: E402
from braintank.data.optdigits import load_optdigits  # noqa: E402
from braintank.inference.classifier import DigitClassifier, default_model_path  # noqa: E402
from braintank.sheets.printing.layout import make_layout  # noqa: E402
from braintank.sheets.reading.reader import read_page  # noqa: E402
from braintank.sheets.simulating.simulate import simulate_sheet  # noqa: E402
from braintank.sheets.storing.batch import read_batch  # noqa: E402
from braintank.sheets.storing.labeled import labeled_cells  # noqa: E402
from braintank.sheets.storing.store import SheetStore  # noqa: E402
from braintank.training.finetune import (  # noqa: E402
    finish_finetune,
    plan_finetune,
    start_finetune,
)
from braintank.training.finetune_data import Corrections  # noqa: E402


def writer_halves(writers: str, seed: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(28x28 uint8 digits of all of optdigits `tra` or `mfeat`, labels, first-half indices,
    second-half indices)."""
    if writers == "mfeat":
        data = load_mfeat()
        ink, labels = data.as_ink(), data.labels
    else:
        data = load_optdigits("tra")
        ink, labels = data.bitmaps.astype(np.float32), data.labels
    digits = np.rint(as_mnist(ink) * 255).astype(np.uint8)
    order = np.random.default_rng(seed).permutation(len(labels))
    half = len(order) // 2
    return digits, labels, order[:half], order[half:]


def write_sheets(digits, labels, indices, rng) -> list:
    """Simulated sheets holding each digit of `indices` once, in turn."""
    layout = make_layout(10, 10, "Simulated client")
    remaining, sheets = iter(indices.tolist()), []
    while True:
        sheet = simulate_sheet(layout, digits, labels, rng, order=remaining)
        if not sheet.sources:
            return sheets
        sheets.append(sheet)


def season_store(sheets, folder: Path, classifier, include_all: bool) -> Path:
    """This season: scans read into a store, every written cell (or every flagged one)
    reviewed with the truth."""
    truths = {}
    for number, sheet in enumerate(sheets):
        scan = folder / f"season-{number:03d}.jpg"
        scan.write_bytes(sheet.data)
        truths[str(scan)] = sheet.truth
    db = folder / "sheets.db"
    with SheetStore(db) as store:
        read_batch(sorted(map(Path, truths)), store, classifier, log=lambda _m: None)
        review_with_truth(store, truths, include_all)
    return db


def read_next_week(sheets, classifier) -> dict:
    """Raw accuracy, share sent to review and accuracy among `ok` on the written digits."""
    counts = Counter()
    for sheet in sheets:
        cells = {(c.row, c.col): c for c in read_page(sheet.image, classifier).cells}
        for key in sheet.sources:
            cell, truth = cells[key], sheet.truth[key]
            counts["written"] += 1
            counts["raw_right"] += cell.guess == truth
            counts["review"] += cell.status == "review"
            counts["empty"] += cell.status == "empty"
            counts["ok"] += cell.status == "ok"
            counts["ok_right"] += cell.status == "ok" and cell.digit == truth
    n = counts["written"]
    return {"n": n, "raw_accuracy": 100 * counts["raw_right"] / n,
            "accepted": 100 * counts["ok"] / n, "review": 100 * counts["review"] / n,
            "accepted_accuracy": 100 * counts["ok_right"] / max(counts["ok"], 1),
            "accepted_wrong": counts["ok"] - counts["ok_right"], "called_empty": counts["empty"]}


def heldout_row(scores_: dict) -> dict:
    acc = scores_["accepted_accuracy"]
    return {"n": scores_["n"], "raw_accuracy": 100 * scores_["accuracy"],
            "accepted": 100 * scores_["accepted"],
            "accepted_accuracy": None if acc is None else 100 * acc}


def finetune(db: Path, base: str, run: Path, epochs: int, seed: int, frozen_norm: bool
             ) -> dict:
    with SheetStore.open_readonly(db) as store:
        found = labeled_cells(store)
    notes = {"labeled": len(found.labels), "unused": found.unused(),
             "conflicts": len(found.conflicts)}
    plan = plan_finetune(Corrections(found.images, found.labels, str(db), notes), run, base,
                         epochs=epochs, seed=seed, frozen_norm=frozen_norm)
    trainer = start_finetune(plan, torch.device("cpu"), progress=False)
    trainer.fit()
    return finish_finetune(trainer)


def fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}%"


def print_table(rows: dict[str, tuple[dict, dict]]) -> None:
    print("| set | n | raw accuracy before → after | accepted (`ok`) before → after "
          "| right among accepted before → after | wrong accepted before → after |")
    print("|---|---|---|---|---|---|")
    for name, (before, after) in rows.items():
        wrong = [r.get("accepted_wrong") for r in (before, after)]
        wrong_text = "-" if None in wrong else f"{wrong[0]} → {wrong[1]}"
        print(f"| {name} | {before['n']:,} | {fmt(before['raw_accuracy'])} → "
              f"{fmt(after['raw_accuracy'])} | {fmt(before['accepted'])} → "
              f"{fmt(after['accepted'])} | {fmt(before['accepted_accuracy'])} → "
              f"{fmt(after['accepted_accuracy'])} | {wrong_text} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(default_model_path()), help="base model")
    parser.add_argument("--writers", choices=("tra", "mfeat"), default="tra",
                        help="the client's writers: optdigits tra (default) or mfeat")
    parser.add_argument("--flagged-only", action="store_true",
                        help="the person answers only the cells sent to review")
    parser.add_argument("--moving-norm", action="store_true",
                        help="let batch norm statistics move during the finetune (the old way)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", help="folder for scans, store and run (default: temporary)")
    parser.add_argument("--json", help="write all numbers to this JSON file")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    work = Path(args.work or tempfile.mkdtemp(prefix="finetune-client-"))
    work.mkdir(parents=True, exist_ok=True)
    clock = {}

    started = time.perf_counter()
    digits, labels, this_season, next_week = writer_halves(args.writers, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    season_sheets = write_sheets(digits, labels, this_season, rng)
    week_sheets = write_sheets(digits, labels, next_week, rng)
    old = DigitClassifier.load(args.model)
    db = season_store(season_sheets, work, old, not args.flagged_only)
    clock["season: simulate, read, review"] = time.perf_counter() - started

    started = time.perf_counter()
    summary = finetune(db, args.model, work / "run", args.epochs, args.seed,
                       not args.moving_norm)
    clock["finetune"] = time.perf_counter() - started
    new = DigitClassifier.load(work / "run" / "model.pt")

    started = time.perf_counter()
    rows = {f"next week's sheets ({args.writers} 2nd half, {len(week_sheets)} sheets)":
            (read_next_week(week_sheets, old), read_next_week(week_sheets, new)),
            f"held-out corrections ({args.writers} 1st half)":
            (heldout_row(summary["before"]["heldout"]), heldout_row(summary["after"]["heldout"]))}
    for name, (inputs, truth) in build_sets(["windep", "mfeat"]).items():
        rows[name] = tuple(scores(*readings(clf, inputs), truth, clf.policy.threshold)
                           for clf in (old, new))
    clock["evaluate"] = time.perf_counter() - started

    print(f"this season: {len(season_sheets)} sheets, {len(this_season)} {args.writers} "
          "digits; "
          f"store: {summary['corrections']}; trained on {summary['train_corrections']} "
          f"(x{summary['copies_per_epoch']}) + {summary['mnist_replay']} MNIST replayed, "
          f"{summary['epochs']} epochs; held out {summary['heldout_corrections']}; review "
          f"threshold {summary['before']['threshold']:.4f} -> "
          f"{summary['calibration']['threshold']:.4f} (set by "
          f"{summary['calibration']['threshold_set_by']})\n")
    print_table(rows)
    sheets_before, sheets_after = next(iter(rows.values()))
    print(f"\nnext week's written cells sent to review: {fmt(sheets_before['review'])} → "
          f"{fmt(sheets_after['review'])}; read as empty: {sheets_before['called_empty']} → "
          f"{sheets_after['called_empty']}")
    print("\nseconds: " + ", ".join(f"{k} {v:.0f}" for k, v in clock.items())
          + f"; torch threads {torch.get_num_threads()}; work folder {work}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "summary": summary,
                                               "seconds": clock}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
