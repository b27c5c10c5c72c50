"""`braintank finetune`: learn from the digits people confirmed or corrected in review."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SHOWN_CONFLICTS = 3
RESUME_FIXED = ("store", "model", "epochs", "holdout", "seed")


def register(subparsers: argparse._SubParsersAction) -> None:
    from braintank.training.defaults import FINETUNE_EPOCHS, FINETUNE_HOLDOUT

    p = subparsers.add_parser(
        "finetune", help="train a model further on the digits people corrected in review",
        description="Train a model further on the digits confirmed or corrected in the "
                    "review store (plus a replay of MNIST), recalibrate it on a held-out "
                    "share of them and on MNIST validation, and write RUN/model.pt, which "
                    "every command takes (e.g. `braintank sheet read --model RUN/model.pt`).")
    p.add_argument("--store", metavar="DB", help="results database of `braintank sheet "
                   "read` and `sheet review` (e.g. sheets.db); only read")
    p.add_argument("--model", help="model file to start from (default: the shipped model); "
                   "only read")
    p.add_argument("--out", required=True, metavar="RUN", help="run folder (new or empty) for "
                   "model.pt, summary.json, checkpoints and logs")
    p.add_argument("--epochs", type=int, help=f"passes over the data (default {FINETUNE_EPOCHS})")
    p.add_argument("--holdout", type=float, help="share of the corrected digits kept out of "
                   "training to recalibrate on and to measure the result "
                   f"(default {FINETUNE_HOLDOUT})")
    p.add_argument("--seed", type=int, help="seed of the hold-out, the MNIST replay and the "
                   "training (default 0)")
    p.add_argument("--resume", action="store_true", help="continue the interrupted finetune "
                   "in --out with its own data and settings")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    p.add_argument("--data-dir", help="folder holding mnist/ (else $BRAINTANK_DATA, cache, ...)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def _corrections(store_path: str):
    """The store's labeled digits as Corrections, and the lines that report what was left."""
    from braintank.sheets.storing.labeled import labeled_cells
    from braintank.sheets.storing.store import SheetStore
    from braintank.training.finetune_data import Corrections

    with SheetStore.open_readonly(store_path) as store:
        found = labeled_cells(store)
    lines = []
    if found.conflicts:
        shown = "; ".join(c.describe() for c in found.conflicts[:SHOWN_CONFLICTS])
        more = len(found.conflicts) - SHOWN_CONFLICTS
        lines.append(f"{store_path}: {len(found.conflicts)} cells were given different answers; "
                     f"the latest answer is used: {shown}" + (f"; and {more} more" if more > 0
                                                              else ""))
    if found.unused():
        lines.append(f"{store_path}: corrected cells not used: " + "; ".join(
            f"{n} {reason}" for reason, n in found.unused().items()))
    notes = {"labeled": int(len(found.labels)), "unused": found.unused(),
             "conflicts": [c.describe() for c in found.conflicts]}
    hint = (f"{found.without_input} more have no stored network input: re-read their pages "
            "with `braintank sheet read --reread`" if found.without_input else "")
    return Corrections(found.images, found.labels, str(store_path), notes), lines, hint


def _check_numbers(args: argparse.Namespace) -> None:
    from braintank.errors import BraintankError

    if args.epochs is not None and args.epochs < 1:
        raise BraintankError(f"--epochs must be at least 1, got {args.epochs}")
    if args.seed is not None and args.seed < 0:
        raise BraintankError(f"--seed must be a whole number >= 0, got {args.seed}")


def _start(args: argparse.Namespace, device):
    from braintank.errors import BraintankError
    from braintank.inference.classifier import default_model_path
    from braintank.training.defaults import FINETUNE_EPOCHS, FINETUNE_HOLDOUT
    from braintank.training.finetune import (
        check_new_out,
        plan_finetune,
        start_finetune,
    )
    from braintank.training.finetune_data import check_enough, check_holdout

    if args.store is None:
        raise BraintankError("--store is required (the results database to learn from), "
                             "unless --resume continues a run")
    _check_numbers(args)
    check_new_out(Path(args.out))
    holdout = FINETUNE_HOLDOUT if args.holdout is None else args.holdout
    check_holdout(holdout)
    corrections, lines, hint = _corrections(args.store)
    check_enough(len(corrections.labels), holdout, corrections.source, hint)
    plan = plan_finetune(corrections, args.out, args.model or default_model_path(),
                         args.epochs or FINETUNE_EPOCHS, holdout, args.seed or 0, args.data_dir)
    for line in lines:
        _log(line)
    _log(f"{args.store}: {len(corrections.labels)} corrected digits: "
         f"{len(plan.data.train_labels)} to train on (each {plan.data.copies}x per epoch, with "
         f"{len(plan.data.replay_index):,} MNIST digits replayed), "
         f"{len(plan.data.heldout_labels)} held out")
    return start_finetune(plan, device, args.data_dir, not args.no_progress)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def _report(summary: dict) -> None:
    before, after = summary["before"], summary["after"]
    hb, ha = before["heldout"], after["heldout"]
    calibration = summary["calibration"]
    if not calibration["target_met"]:
        _log(f"warning: no review threshold keeps {_percent(calibration['target_accuracy'])} "
             "of accepted digits right on the held-out corrections; most digits will go to "
             "review")
    print(f"{hb['n']} held-out corrections: accuracy {_percent(hb['accuracy'])} -> "
          f"{_percent(ha['accuracy'])}; accepted {_percent(hb['accepted'])} -> "
          f"{_percent(ha['accepted'])}, right among accepted "
          f"{_percent(hb['accepted_accuracy'])} -> {_percent(ha['accepted_accuracy'])}")
    print(f"MNIST test accuracy {_percent(before['mnist_test']['accuracy'])} -> "
          f"{_percent(after['mnist_test']['accuracy'])}; review threshold "
          f"{before['threshold']:.4f} -> {calibration['threshold']:.4f} (set by "
          f"{calibration['threshold_set_by']})")
    verdict = summary["verdict"]
    if verdict["better"]:
        print(f"better than the model it started from: {verdict['why']}")
    else:
        print(f"not better than the model it started from ({verdict['why']}): keep reading "
              "with that one")
    print(f"model saved to {summary['model']} (use it with --model)")


def run(args: argparse.Namespace) -> int:
    from braintank.errors import BraintankError
    from braintank.training.device import resolve_device
    from braintank.training.finetune import finish_finetune, resume_finetune

    device = resolve_device(args.device)
    if args.resume:
        given = [f"--{name}" for name in RESUME_FIXED if getattr(args, name) is not None]
        if given:
            raise BraintankError(f"--resume continues {args.out} with its own data and "
                                 f"settings; {', '.join(given)} cannot change them")
        trainer = resume_finetune(args.out, device, args.data_dir, not args.no_progress)
    else:
        trainer = _start(args, device)
    trainer.fit()
    _report(finish_finetune(trainer, args.data_dir))
    return 0
