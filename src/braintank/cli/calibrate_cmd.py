"""`braintank calibrate`: refit a model's confidence calibration and review threshold."""

from __future__ import annotations

import argparse


def add_calibration_arguments(p: argparse.ArgumentParser) -> None:
    """--target and --data-dir: what every command that fits a calibration takes."""
    from braintank.evaluation.review_policy import REVIEW_TARGET_ACCURACY

    p.add_argument("--target", type=float, default=REVIEW_TARGET_ACCURACY,
                   help="accuracy wanted on digits not sent to review "
                        f"(default {REVIEW_TARGET_ACCURACY})")
    p.add_argument("--data-dir", help="folder holding the dataset (or its parent)")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "calibrate", help="refit temperature and review threshold on the validation split",
        description="Temperature scaling and the review threshold are fitted at the end of "
                    "training; this refits them (e.g. for another accuracy target) on the "
                    "model's own validation split and rewrites the model file.")
    p.add_argument("--model", required=True, help="braintank model file (.pt) to update")
    add_calibration_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from braintank.training.finalize import recalibrate

    c = recalibrate(args.model, args.target, args.data_dir)
    print(f"{args.model}: temperature {c['temperature']:.4f}, review threshold "
          f"{c['threshold']:.4f}: {100 * c['val_coverage']:.2f}% of {c['val_size']} validation "
          f"digits accepted at {100 * c['val_accepted_accuracy']:.3f}% accuracy "
          f"(target {100 * c['target_accuracy']:.1f}%)")
    return 0
