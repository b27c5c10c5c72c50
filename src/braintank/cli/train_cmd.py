"""`braintank train`: train a preset (optionally overriding its settings), or resume a run."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from braintank.data.augment_names import FAMILIES
from braintank.schedules import schedule_help
from braintank.training.config import COMPILE_MODES, OPTIMIZERS, PRECISIONS
from braintank.training.presets import PRESETS

MAX_THREADS = 1024  # torch would try to start any number asked for, and crash

OVERRIDES = {  # flag -> (config field, type, help)
    "lr": ("lr", float, "learning rate (peak rate for one-cycle)"),
    "epochs": ("epochs", int, "number of passes over the training set"),
    "batch_size": ("batch_size", int, "mini-batch size (ignored by full-batch rprop)"),
    "optimizer": ("optimizer", str, f"one of: {', '.join(OPTIMIZERS)}"),
    "schedule": ("schedule", str, f"learning-rate schedule, one of: {schedule_help()}"),
    "weight_decay": ("weight_decay", float, "L2 weight decay (decoupled for adam)"),
    "clip_grad": ("clip_grad", float, "clip the gradient norm to this value (0 = off)"),
    "patience": ("patience", int, "early stopping: epochs without better validation accuracy"),
    "keep": ("keep", str, "which weights model.pt holds: best (the epoch best on validation) "
             "or last (the final epoch)"),
    "val_size": ("val_size", int, "training images held out for validation"),
    "train_size": ("train_size", int, "train on only this many images (0 = all)"),
    "split_seed": ("split_seed", int, "seed of the validation hold-out (default: --seed); "
                   "give ensemble members the same one"),
    "augment": ("augment", str, "none, writers, or families joined by +: "
                + ", ".join(FAMILIES)),
    "augment_prob": ("augment_prob", float, "share of training images augmented (0-1)"),
    "synth": ("synth", float, "share of each batch replaced by stroke-drawn digits in writing "
              "conventions MNIST lacks (0-1)"),
    "outliers": ("outliers", float, "marks that are not one digit (\"10\", struck-out digits, "
                 "scribbles, letters) added to each batch, as a share of its size"),
    "dataset": ("dataset", str, "mnist or fashion-mnist"),
    "precision": ("precision", str, f"{', '.join(PRECISIONS)}: of the training forward pass "
                  "(default auto: bf16 autocast on CUDA, fp32 elsewhere)"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    models = ", ".join(PRESETS)
    p = subparsers.add_parser("train", help="train a network on MNIST",
                              description=f"Train a preset network. Presets: {models}.")
    p.add_argument("--model", default="cnn",
                   help=f"preset to train (default cnn): {models}; with --engine numpy: "
                        "scratch-fast (default), mlp-800, mlp-512x2, course-36, tiny")
    p.add_argument("--engine", choices=["torch", "numpy"], default="torch",
                   help="torch (default) or the from-scratch numpy engine")
    p.add_argument("--out", help="run folder (default runs/<model>-<time>)")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR")
    p.add_argument("--seed", type=int, default=0, help="random seed (runs are deterministic)")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    p.add_argument("--data-dir", help="folder holding mnist/ (else $BRAINTANK_DATA, cache, ...)")
    p.add_argument("--threads", type=int, help="CPU threads for torch (default: all cores)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--nproc", type=int,
                   help="train in N processes with DistributedDataParallel (gloo on the CPU, "
                        "NCCL with one GPU each); each takes batch-size/N of every batch; "
                        "under torchrun: its process count")
    for flag, (_, kind, text) in OVERRIDES.items():
        p.add_argument("--" + flag.replace("_", "-"), type=kind, help=text)
    p.add_argument("--compile", nargs="?", const="model", metavar="MODE",
                   help=f"torch.compile the training step: {', '.join(COMPILE_MODES)}; "
                        "--compile alone = model; graphs also replays it as CUDA graphs "
                        "and drops each epoch's last partial batch (needs g++ on the CPU)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from braintank.errors import BraintankError
    from braintank.training.device import resolve_device
    from braintank.training.distributed import check_nproc, launched_by_torchrun
    from braintank.training.finalize import finalize
    from braintank.training.loop import resume_run, start_run

    if args.threads is not None:
        if not 1 <= args.threads <= MAX_THREADS:
            raise BraintankError(f"--threads must be between 1 and {MAX_THREADS}, "
                                 f"got {args.threads}")
        torch.set_num_threads(args.threads)
    if args.nproc is not None:
        check_nproc(args.nproc)
    if args.engine == "numpy":
        if (args.nproc or 1) > 1:
            raise BraintankError("--nproc trains with the torch engine, not --engine numpy")
        from braintank.cli.scratch_train import run_scratch

        return run_scratch(args)
    if (args.nproc or 1) > 1 or launched_by_torchrun():
        return run_distributed(args)
    device = resolve_device(args.device)
    progress = not args.no_progress
    if args.resume:
        trainer = resume_run(args.resume, device, args.data_dir, progress)
    else:
        trainer = start_run(new_config(args), default_out(args), device, args.data_dir,
                            progress)
    trainer.fit()
    report(finalize(trainer, args.data_dir), trainer.run_dir)
    return 0


def run_distributed(args: argparse.Namespace) -> int:
    """`--nproc N` (N processes started here) or one rank of a torchrun launch."""
    import json
    import os

    from braintank.errors import BraintankError
    from braintank.training.distributed import (
        check_shardable,
        device_kind,
        launched_by_torchrun,
        rank_context_from_env,
    )
    from braintank.training.distributed_launch import LaunchPlan, spawn, train_rank
    from braintank.training.loop import read_last_checkpoint

    ctx = rank_context_from_env() if launched_by_torchrun() else None
    if ctx and args.nproc not in (None, ctx.world_size):
        raise BraintankError(f"--nproc {args.nproc} disagrees with torchrun's WORLD_SIZE "
                             f"{ctx.world_size}: under torchrun leave --nproc out")
    nproc = ctx.world_size if ctx else args.nproc
    kind = device_kind(args.device, None if ctx else nproc)
    if args.resume:
        run_dir, config = Path(args.resume), None
        _, cfg = read_last_checkpoint(run_dir)
    else:
        cfg = new_config(args)
        run_dir, config = default_out(args), cfg.to_dict()
    check_shardable(cfg, nproc)
    threads = args.threads if ctx else args.threads or max(1, (os.cpu_count() or 1) // nproc)
    plan = LaunchPlan(nproc, str(run_dir), config, kind, threads, args.data_dir,
                      not args.no_progress, debug=args.debug)
    if ctx:
        summary = train_rank(ctx, plan)
    else:
        spawn(plan)
        summary = json.loads((run_dir / "summary.json").read_text())
    if summary:
        report(summary, run_dir)
    return 0


def new_config(args: argparse.Namespace):
    """The preset's settings with the command line's overrides (validated)."""
    from braintank.training.presets import get_preset

    overrides = {field: getattr(args, flag) for flag, (field, _, _) in OVERRIDES.items()
                 if getattr(args, flag) is not None}
    if args.compile is not None:
        overrides["compile"] = args.compile
    return get_preset(args.model).config(seed=args.seed, **overrides)


def default_out(args: argparse.Namespace) -> Path:
    return Path(args.out or f"runs/{args.model}-{datetime.now():%Y%m%d-%H%M%S}")


def report(summary: dict, run_dir: Path) -> None:
    processes = f", {summary['nproc']} processes" if summary.get("nproc", 1) > 1 else ""
    print(f"{summary['model']}: test accuracy {100 * summary['test_accuracy']:.2f}% after "
          f"{summary['epochs_run']} epochs ({summary['train_seconds']} s on "
          f"{summary['device']}{processes}, {summary['precision']}); "
          f"model saved to {run_dir / 'model.pt'}")
