"""Accuracy and calibration of the int8 copies beside their float models, on MNIST test.

For each shipped model (the default and its distilled student) and runtime (torch float,
onnx-int8): accuracy with one view (the plain network) and as the classifier decides (all
test-time views), agreement with the float network's digits, ECE, the calibration the
runtime uses (temperature, review threshold) and what it accepts at that threshold.

    python benchmarks/int8_accuracy.py [--models default student]
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from braintank.cli.runtime import load_classifier
from braintank.data import load_split
from braintank.evaluation import classification_report


def in_batches(fn, x: np.ndarray, size: int = 1000) -> list:
    return [fn(x[i:i + size]) for i in range(0, len(x), size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["default", "student"],
                        help="model files or shipped model names")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    images, labels = load_split("mnist", "test")
    x = images.astype(np.float32) / 255.0
    report = {}
    for model in args.models:
        float_digits = None
        for runtime in ("torch", "onnx-int8"):
            clf = load_classifier(model, runtime)
            one_view = np.concatenate(in_batches(clf.logits_batch28, x)).argmax(1)
            float_digits = one_view if float_digits is None else float_digits
            read = in_batches(clf.read_batch28, x)
            probs = np.concatenate([p for p, _ in read])
            confidence = np.concatenate([c for _, c in read])
            accepted = confidence >= clf.policy.threshold
            right = probs.argmax(1) == labels
            metrics = classification_report(labels, probs)
            report[f"{model} {runtime}"] = {
                "accuracy_one_view": float((one_view == labels).mean()),
                "agreement_with_float_one_view": float((one_view == float_digits).mean()),
                "accuracy_views": metrics["accuracy"], "views": clf.policy.views,
                "ece": round(metrics["ece"], 5), "nll": round(metrics["nll"], 5),
                "temperature": round(clf.policy.temperature, 4),
                "threshold": round(clf.policy.threshold, 4),
                "test_accepted": float(accepted.mean()),
                "test_accepted_accuracy": float(right[accepted].mean()),
            }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
