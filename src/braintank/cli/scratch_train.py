"""`braintank train --engine numpy`: the same command line, trained by the NumPy engine."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

DEFAULT_PRESET = "scratch-fast"
# train flag -> ScratchConfig field, where the meaning is the same in both engines
SHARED_FLAGS = {"lr": "lr", "epochs": "epochs", "batch_size": "batch_size",
                "optimizer": "optimizer", "weight_decay": "weight_decay",
                "patience": "patience", "val_size": "val_size", "train_size": "train_limit",
                "dataset": "dataset", "schedule": "lr_schedule"}
TORCH_ONLY = ("clip_grad", "augment", "augment_prob")


def run_scratch(args: argparse.Namespace) -> int:
    from braintank.errors import BraintankError
    from braintank.scratch.config import PRESETS, get_preset
    from braintank.scratch.trainer import train_scratch

    used = [f"--{flag.replace('_', '-')}" for flag in TORCH_ONLY
            if getattr(args, flag, None) is not None]
    if used:
        raise BraintankError(f"{', '.join(used)} not available with --engine numpy")
    progress = not args.no_progress
    if args.resume:
        summary = train_scratch(None, args.resume, progress=progress, resume=True)
    else:
        name = DEFAULT_PRESET if args.model == "cnn" else args.model
        if name not in PRESETS:
            raise BraintankError(f"unknown numpy-engine model {name!r} "
                                 f"(known: {', '.join(PRESETS)})")
        overrides = {field: getattr(args, flag) for flag, field in SHARED_FLAGS.items()
                     if getattr(args, flag, None) is not None}
        if overrides.get("optimizer", get_preset(name).optimizer) != get_preset(name).optimizer:
            # the preset's settings belong to its own optimizer (momentum's 0.9 means nothing
            # to Adam): another optimizer starts from its own defaults
            overrides["optimizer_args"] = {}
        config = get_preset(name, seed=args.seed, **overrides)
        out = Path(args.out or f"runs/{name}-numpy-{datetime.now():%Y%m%d-%H%M%S}")
        summary = train_scratch(config, out, progress=progress)
    print(f"{summary['model']} (numpy engine): test accuracy "
          f"{100 * summary['test_accuracy']:.2f}% after {summary['epochs_run']} epochs "
          f"({summary['train_seconds']} s); model saved to {summary['model_path']}")
    return 0
