"""MNIST with the scratch NumPy engine: time to 98.5% test accuracy, and the 784-800-10 MLP.

Trains presets through train_scratch (the code `braintank train --engine numpy` runs),
logging test accuracy after every epoch; reports, per preset, the training seconds (not
counting evaluation or plotting) at which test accuracy first reached the target, and
the final test accuracy of the best-validation weights.

    python benchmarks/scratch_mnist.py [--presets scratch-fast,mlp-800] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

GOALS = {"scratch-fast": ("reach 98.5% test accuracy within 60 s", 0.985, 60.0),
         "mlp-800": ("784-800-10 (Simard 2003 baseline) reaches 98.4%", 0.984, None)}


def run_preset(name: str, out_dir: Path, epochs: int | None) -> dict:
    from braintank.runlog import read_metrics
    from braintank.scratch.config import get_preset
    from braintank.scratch.trainer import train_scratch

    overrides = {"track_test": True} | ({"epochs": epochs} if epochs else {})
    config = get_preset(name, **overrides)
    summary = train_scratch(config, out_dir / name, progress=False)
    rows = read_metrics(out_dir / name)
    target = GOALS.get(name, ("", 0.985, None))[1]
    reached = next((r for r in rows if r["test_acc"] >= target), None)
    return {"preset": name, "summary": summary, "rows": rows, "target": target,
            "reached_epoch": reached and reached["epoch"],
            "reached_seconds": reached and reached["train_seconds_total"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="scratch-fast,mlp-800", help="comma-separated")
    parser.add_argument("--epochs", type=int, help="override the presets' epoch counts")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads")
    parser.add_argument("--out", help="keep the run folders here (default: a temp folder)")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(args.out or tmp)
        for name in args.presets.split(","):
            r = run_preset(name, out_dir, args.epochs)
            s = r["summary"]
            goal = GOALS.get(name, ("",))[0]
            curve = " ".join(f"{100 * row['test_acc']:.2f}" for row in r["rows"])
            when = (f"reached {100 * r['target']:.1f}% at epoch {r['reached_epoch']} after "
                    f"{r['reached_seconds']:.1f} s of training" if r["reached_epoch"]
                    else f"never reached {100 * r['target']:.1f}%")
            print(f"{name}: {goal}\n  final test accuracy {100 * s['test_accuracy']:.2f}% "
                  f"(best-validation epoch {s['best_epoch']}/{s['epochs_run']}), "
                  f"{s['train_seconds']} s training; {when}\n  test accuracy per epoch: {curve}",
                  flush=True)


if __name__ == "__main__":
    main()
