"""`braintank ensemble`: average several trained runs into one calibrated model file."""

from __future__ import annotations

import argparse

from braintank.cli.calibrate_cmd import add_calibration_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ensemble", help="combine trained runs into one ensemble model",
        description="Average the log-probabilities of several finished runs and write one "
                    "model file that predict, eval, export and the sheet reader take like "
                    "any other. Members must share their validation hold-out: train them "
                    "with the same --split-seed.")
    p.add_argument("models", nargs="+", metavar="MODEL",
                   help="model files (.pt) or run folders holding model.pt")
    p.add_argument("--out", required=True, help="where to write the ensemble model (.pt)")
    add_calibration_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from braintank.training.ensemble import build_ensemble

    r = build_ensemble(args.models, args.out, args.data_dir, args.target)
    for path, acc in zip(r["members"], r["member_test_accuracy"], strict=True):
        print(f"  member {path}: test accuracy {100 * acc:.2f}%")
    c = r["calibration"]
    print(f"ensemble of {len(r['members'])}: test accuracy {100 * r['test_accuracy']:.2f}%; "
          f"temperature {c['temperature']:.4f}, review threshold {c['threshold']:.4f} "
          f"({100 * c['val_coverage']:.2f}% of validation digits accepted at "
          f"{100 * c['val_accepted_accuracy']:.3f}%); written to {args.out}")
    return 0
