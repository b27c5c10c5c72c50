"""Which augmentation families and drawn data make an MNIST-trained network read other
writers better?

Trains the default `cnn` recipe once per variant (same seed, same validation split, same
number of epochs) and reads optdigits `cv` and `tra` — 30 writers who are not MNIST's — and
mfeat (Dutch writers) with each result; `windep` is never looked at here. A variant names
augmentation families joined by "+", and may add `synth` (stroke-drawn digits in other
conventions, the share SYNTH of each batch) and `outliers` (non-digit marks, OUTLIERS of each
batch's size); without them it trains on MNIST alone. Runs are kept in --out; a finished
variant is not trained again, an interrupted one resumes.

    python benchmarks/augment_ablation.py --epochs 5 --out runs/ablation [--variants a,b]
        [--train-size 20000]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from other_writers import as_mnist, scores  # noqa: E402

from braintank.data.mfeat import load_mfeat  # noqa: E402
from braintank.data.optdigits import load_optdigits  # noqa: E402
from braintank.inference.classifier import DigitClassifier  # noqa: E402
from braintank.training.finalize import finalize  # noqa: E402
from braintank.training.loop import resume_run, start_run  # noqa: E402
from braintank.training.presets import get_preset  # noqa: E402

VARIANTS = (
    "affine",                      # the cnn preset until now
    "affine+aspect",
    "affine+thickness",
    "affine+resolution+blur",
    "affine+breaks+faint+blobs",
    "affine+styles",
    "writers",                     # all of them
    "writers+synth",               # + digits drawn in conventions MNIST lacks
    "writers+outliers",            # + marks that are not digits (outlier exposure)
    "writers+synth+outliers",
)
DRAWN = {"synth": 0.2, "outliers": 0.1}  # what the `cnn` preset uses


def variant_settings(variant: str) -> dict:
    """The config a variant name stands for: its augmentation and drawn data."""
    names = variant.split("+")
    families = [n for n in names if n not in DRAWN]
    return {"augment": "+".join(families) or "none",
            **{key: (share if key in names else 0.0) for key, share in DRAWN.items()}}


def train_variant(variant: str, out: Path, epochs: int, seed: int, train_size: int) -> Path:
    run_dir = out / variant.replace("+", "_")
    model = run_dir / "model.pt"
    if model.is_file():
        return model
    if (run_dir / "last.pt").is_file():
        trainer = resume_run(run_dir, torch.device("cpu"), progress=False)
    else:
        cfg = get_preset("cnn").config(**variant_settings(variant), epochs=epochs, seed=seed,
                                       train_size=train_size)
        trainer = start_run(cfg, run_dir, torch.device("cpu"), progress=False)
    trainer.fit()
    finalize(trainer)
    return model


def evaluate(model: Path, sets: dict) -> dict:
    clf = DigitClassifier.load(model)
    summary = json.loads((model.parent / "summary.json").read_text())
    row = {"val": 100 * summary["best_val_acc"], "test": 100 * summary["test_accuracy"],
           "seconds": summary["train_seconds"]}
    for name, (x, labels) in sets.items():
        row[name] = scores(*clf.read_batch28(x), labels, clf.policy.threshold)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/ablation")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=0,
                        help="train on this many MNIST images (0: all 55,000)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    sets = {}
    for split in ("cv", "tra"):
        data = load_optdigits(split)
        sets[split] = (as_mnist(data.bitmaps), data.labels)
    mfeat = load_mfeat()
    sets["mfeat"] = (as_mnist(mfeat.as_ink()), mfeat.labels)
    results = {}
    print("| variant | MNIST val | MNIST test | cv raw | cv accepted | cv acc. among "
          "accepted | tra raw | mfeat raw | mfeat accepted | mfeat acc. among accepted "
          "| train s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for variant in args.variants.split(","):
        model = train_variant(variant, out, args.epochs, args.seed, args.train_size)
        row = results[variant] = evaluate(model, sets)
        cv, tra, mf = row["cv"], row["tra"], row["mfeat"]
        print(f"| {variant} | {row['val']:.2f}% | {row['test']:.2f}% | "
              f"{cv['raw_accuracy']:.2f}% | {cv['accepted']:.2f}% | "
              f"{cv['accepted_accuracy']:.2f}% | {tra['raw_accuracy']:.2f}% | "
              f"{mf['raw_accuracy']:.2f}% | {mf['accepted']:.2f}% | "
              f"{mf['accepted_accuracy']:.2f}% | {row['seconds']} |", flush=True)
        (out / "ablation.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
