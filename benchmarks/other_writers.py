"""How well a model reads people who are not MNIST's writers: optdigits and mfeat beside MNIST.

For each model file, on each set: raw accuracy, the share of digits accepted (confidence at
or above the model's review threshold), accuracy among the accepted, and ECE. optdigits is read
two ways: its 32x32 bitmaps converted the MNIST way (`to_mnist`: crop, longer side 20 px,
centre of mass at the centre), and the same digits drawn as dark ink on paper (a photo-like
page: uneven light, sensor noise) and read through `DigitClassifier.predict` — the path
`braintank predict` takes. `windep` (13 writers) is the held-back test: nothing is trained or
calibrated on it. `mfeat` (2,000 digits by Dutch writers, grey levels 0-6) is read the same
two ways; it is a development set.

    python benchmarks/other_writers.py [MODEL ...] [--sets windep,cv,mfeat] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from braintank.data import load_split
from braintank.data.mfeat import load_mfeat
from braintank.data.optdigits import load_optdigits
from braintank.data.render import render_digit
from braintank.evaluation.metrics import expected_calibration_error
from braintank.imaging.preprocess import to_mnist_batch
from braintank.inference.classifier import DigitClassifier, default_model_path

PAD = 8  # the bitmaps' ink touches their border; to_mnist fits the paper on the image border


def as_mnist(bitmaps: np.ndarray) -> np.ndarray:
    """[N, 28, 28] inputs made from [N, H, W] ink images (1 = ink) by the one preprocessing
    path."""
    padded = np.pad(bitmaps.astype(np.float32), ((0, 0), (PAD, PAD), (PAD, PAD)))
    batch, _ = to_mnist_batch(list(padded))
    return batch


def on_paper(bitmaps: np.ndarray, seed: int = 0) -> list[np.ndarray]:
    """Each ink image (1 = ink) drawn as dark ink on paper, varied in size, position, light
    and noise."""
    rng = np.random.default_rng(seed)
    pages = []
    for index, bitmap in enumerate(bitmaps):
        pages.append(render_digit(
            bitmap * 255.0, invert=True, canvas=(240, 240),
            scale=float(rng.uniform(3.0, 6.0)),
            offset=(int(rng.integers(-30, 31)), int(rng.integers(-30, 31))),
            gradient=float(rng.uniform(0.0, 0.3)), noise=float(rng.uniform(0.01, 0.03)),
            seed=seed * 100_000 + index))
    return pages


def scores(probs: np.ndarray, confidence: np.ndarray, labels: np.ndarray,
           threshold: float) -> dict:
    """Raw accuracy, accepted share, accuracy among accepted, ECE (percent, except ECE).

    A digit is accepted when its `confidence` (the classifier's review statistic) reaches
    `threshold`; ECE is of the reported probabilities."""
    guess = probs.argmax(axis=1)
    right = guess == labels
    accepted = confidence >= threshold
    return {
        "n": int(len(labels)),
        "raw_accuracy": 100 * float(right.mean()),
        "accepted": 100 * float(accepted.mean()),
        "accepted_accuracy": 100 * float(right[accepted].mean()) if accepted.any() else None,
        "accepted_wrong": int((accepted & ~right).sum()),
        "ece": float(expected_calibration_error(probs, labels)),
    }


def readings(clf: DigitClassifier, inputs) -> tuple[np.ndarray, np.ndarray]:
    """(calibrated probabilities, review confidence) for prepared 28x28 inputs, or for
    pages through predict()."""
    if isinstance(inputs, np.ndarray):
        return clf.read_batch28(inputs)
    probs, confidence = np.zeros((len(inputs), 10)), np.zeros(len(inputs))
    for start in range(0, len(inputs), 256):
        for row, p in enumerate(clf.predict(inputs[start:start + 256])):
            # an empty reading keeps all-zero probabilities: wrong, and never accepted
            probs[start + row], confidence[start + row] = p.probabilities, p.confidence
    return probs, confidence


def build_sets(names: list[str]) -> dict[str, tuple[object, np.ndarray]]:
    sets: dict[str, tuple[object, np.ndarray]] = {}
    images, labels = load_split("mnist", "test", allow_download=False)
    sets["mnist test"] = (images.astype(np.float32) / 255.0, labels)
    for name in names:
        if name == "mfeat":
            data = load_mfeat()
            ink, labels = data.as_ink(), data.labels
        else:
            data = load_optdigits(name)
            ink, labels, name = data.bitmaps.astype(np.float32), data.labels, f"optdigits {name}"
        sets[f"{name}, MNIST way"] = (as_mnist(ink), labels)
        sets[f"{name}, ink on paper"] = (on_paper(ink), labels)
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model files (default: the shipped model)")
    parser.add_argument("--sets", default="windep", help="comma-separated: optdigits splits "
                        "tra, cv, windep and/or mfeat (default windep)")
    parser.add_argument("--json", help="write all numbers to this JSON file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sets = build_sets([s for s in args.sets.split(",") if s])
    print(f"data prepared in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    results = {}
    print("| model | set | raw accuracy | accepted | accuracy among accepted | wrong accepted "
          "| ECE |")
    print("|---|---|---|---|---|---|---|")
    for model in args.models or [str(default_model_path())]:
        clf = DigitClassifier.load(model)
        for set_name, (inputs, labels) in sets.items():
            row = scores(*readings(clf, inputs), labels, clf.policy.threshold)
            results.setdefault(model, {})[set_name] = row
            accepted_acc = "-" if row["accepted_accuracy"] is None \
                else f"{row['accepted_accuracy']:.2f}%"
            print(f"| {Path(model).name} | {set_name} | {row['raw_accuracy']:.2f}% | "
                  f"{row['accepted']:.2f}% | {accepted_acc} | {row['accepted_wrong']} | "
                  f"{row['ece']:.4f} |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
