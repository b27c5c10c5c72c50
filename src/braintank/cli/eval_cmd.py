"""`braintank eval` (a model on a dataset split) and `braintank cv` (k-fold cross-validation)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from braintank.cli.runtime import add_runtime_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("eval", help="evaluate a model: accuracy, per-class metrics, "
                                           "confusion matrix, calibration")
    p.add_argument("--model", help="braintank model file, or a shipped model: default (the "
                   "default), student (distilled: faster, a little less sure)")
    p.add_argument("--dataset", default="mnist", help="mnist (default) or fashion-mnist")
    p.add_argument("--split", default="test", choices=["train", "test"],
                   help="dataset split to evaluate on (default test)")
    p.add_argument("--data-dir", help="folder holding the dataset (or its parent)")
    add_runtime_argument(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--out", help="folder for report.json, confusion.png, reliability.png, "
                                 "coverage.png")
    p.set_defaults(func=run_eval)

    c = subparsers.add_parser("cv", help="k-fold cross-validation of a training preset")
    c.add_argument("--model", default="mlp-50", help="training preset (default mlp-50)")
    c.add_argument("--folds", type=int, default=5, help="number of folds K (default 5)")
    c.add_argument("--epochs", type=int, help="override the preset's number of epochs")
    c.add_argument("--seed", type=int, default=0, help="seed for the folds and the training")
    c.add_argument("--device", default="auto", help="auto (default), cpu, cuda or mps")
    c.add_argument("--data-dir", help="folder holding the dataset (or its parent)")
    c.add_argument("--out", default="runs/cv", help="folder for the fold runs (default runs/cv)")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--no-progress", action="store_true", help="no progress bars")
    c.set_defaults(func=run_cv)


def run_eval(args: argparse.Namespace) -> int:
    from braintank.cli.runtime import load_classifier
    from braintank.data import load_split
    from braintank.evaluation import classification_report, format_report

    images, labels = load_split(args.dataset, args.split, args.data_dir)
    clf = load_classifier(args.model, args.runtime, data_dir=args.data_dir)
    probs, confidence = clf.read_batch28(images / 255.0)
    report = classification_report(labels, probs)
    scores = clf.policy.scores(probs, confidence, labels)
    report["review"] = {"threshold": scores["threshold"], "coverage": scores["accepted"],
                        "accepted_accuracy": scores["accepted_accuracy"]}
    report["model"] = clf.name
    if args.out:
        write_eval_files(Path(args.out), report, probs, labels, confidence, clf.policy)
    if args.json:
        print(json.dumps(report))
    else:
        print(format_report(report))
        r = report["review"]
        print(f"review threshold {r['threshold']:.4f}: {100 * r['coverage']:.2f}% accepted, "
              f"accuracy on accepted {100 * (r['accepted_accuracy'] or 0):.3f}%")
    return 0


def write_eval_files(out: Path, report: dict, probs, labels, confidence, policy) -> None:
    import numpy as np

    from braintank.evaluation import (
        plot_confusion_matrix,
        plot_coverage_curve,
        plot_reliability_diagram,
    )
    from braintank.fileio import atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "report.json", json.dumps(report, indent=2) + "\n")
    plot_confusion_matrix(np.array(report["confusion_matrix"]), out / "confusion.png")
    plot_reliability_diagram(probs, labels, out / "reliability.png")
    # The curve is the confidence the model decides with; the point, its own threshold.
    plot_coverage_curve(confidence, probs.argmax(1) == labels, out / "coverage.png",
                        policy.threshold, title=f"Accuracy vs coverage ({report['model']})")


def run_cv(args: argparse.Namespace) -> int:
    import numpy as np

    from braintank.data import load_split
    from braintank.data.transforms import kfold_indices
    from braintank.fileio import atomic_write_text
    from braintank.training.device import resolve_device
    from braintank.training.loop import start_run
    from braintank.training.presets import get_preset

    preset = get_preset(args.model)
    overrides = {"epochs": args.epochs} if args.epochs is not None else {}
    cfg_args = dict(seed=args.seed, patience=0, **overrides)
    preset.config(**cfg_args)  # a bad setting is refused before any data is read
    _, labels = load_split(preset.config().dataset, "train", args.data_dir)
    device = resolve_device(args.device)
    scores = []
    for k, split in enumerate(kfold_indices(len(labels), args.folds, args.seed), 1):
        cfg = preset.config(**cfg_args)
        trainer = start_run(cfg, Path(args.out) / f"fold{k}", device, args.data_dir,
                            not args.no_progress, split)
        trainer.fit()
        _, acc = trainer.validate()
        scores.append(acc)
        print(f"fold {k}/{args.folds}: held-out accuracy {100 * acc:.2f}%")
    result = {"model": args.model, "folds": args.folds, "accuracies": scores,
              "mean": float(np.mean(scores)), "std": float(np.std(scores, ddof=1))}
    atomic_write_text(Path(args.out) / "cv.json", json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.model}: {args.folds}-fold accuracy {100 * result['mean']:.2f}% "
              f"± {100 * result['std']:.2f}%")
    return 0
