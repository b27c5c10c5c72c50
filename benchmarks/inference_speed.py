"""Inference speed of a braintank model: torch eager vs ONNX Runtime (float and int8), CPU.

Measures throughput on batches of MNIST test images (network forward passes, one view per
digit) and single-image latency (median of many calls), every runtime in the same process on
the same inputs, and prints the ratios. "torch-plain" runs the network as trained (batch norm
unfolded, NCHW memory): the baseline for braintank's eval-time folding and channels-last
(`nets/optimize.py`). "onnx-int8" is the model's int8 copy (`modelfile/quantize.py`,
made beside the model file if missing). `digits_per_s_with_views` is what the classifier
really reads: every digit under the model's test-time views, softmax and review decision.
Usage: python benchmarks/inference_speed.py [--model PATH] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
import torch

from braintank.cli.runtime import load_classifier
from braintank.data import load_split
from braintank.inference.classifier import DigitClassifier
from braintank.inference.runtimes import RUNTIMES


def throughput(clf: DigitClassifier, x: np.ndarray, batch: int) -> float:
    """Network forward passes per second (one view per image) over `x` in batches."""
    start = time.perf_counter()
    for i in range(0, len(x), batch):
        clf.logits_batch28(x[i:i + batch])
    return len(x) / (time.perf_counter() - start)


def read_throughput(clf: DigitClassifier, x: np.ndarray, batch: int = 256) -> float:
    """Digits per second through `read_batch28` (all views, calibrated confidence)."""
    start = time.perf_counter()
    for i in range(0, len(x), batch):
        clf.read_batch28(x[i:i + batch])
    return len(x) / (time.perf_counter() - start)


def latency_ms(clf: DigitClassifier, x: np.ndarray, calls: int = 200) -> float:
    """Median milliseconds for one image alone."""
    times = []
    for i in range(calls):
        start = time.perf_counter()
        clf.logits_batch28(x[i % len(x)][None])
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


# What is measured, and whether more is better; every round measures each runtime once.
MEASURES = {
    "batch1000_img_per_s": (lambda clf, x: throughput(clf, x, 1000), max),
    "batch256_img_per_s": (lambda clf, x: throughput(clf, x, 256), max),
    "batch32_img_per_s": (lambda clf, x: throughput(clf, x, 32), max),
    "single_latency_ms": (latency_ms, min),
    "digits_per_s_with_views": (read_throughput, max),
}


def measure(runtimes: dict[str, DigitClassifier], x: np.ndarray, rounds: int) -> dict:
    """The best of `rounds` for every runtime and measure. Rounds go through the runtimes in
    turn, so a burst of other work on a shared machine does not land on one runtime alone."""
    rows: dict[str, dict] = {name: {} for name in runtimes}
    for _ in range(rounds):
        for name, clf in runtimes.items():
            for key, (run, best) in MEASURES.items():
                value = run(clf, x)
                rows[name][key] = best(rows[name].get(key, value), value)
    return {name: {key: round(v, 3 if key.endswith("_ms") else None) for key, v in row.items()}
            for name, row in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="CPU threads for both runtimes' intra-op work")
    parser.add_argument("--images", type=int, default=10000, help="test images per pass")
    parser.add_argument("--repeats", type=int, default=3,
                        help="rounds through every runtime; the best counts")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)  # ONNX Runtime sessions take the same thread count
    load_before = [round(v, 2) for v in os.getloadavg()]  # 1, 5, 15 minutes
    images, labels = load_split("mnist", "test")
    x = images[:args.images].astype(np.float32) / 255.0
    runtimes = {name: load_classifier(args.model, name) for name in RUNTIMES}
    runtimes["torch-plain"] = DigitClassifier.load(args.model, optimize=False)
    for clf in runtimes.values():
        clf.logits_batch28(x[:256])  # warm-up
    rows = measure(runtimes, x, args.repeats)
    for name, clf in runtimes.items():
        digits = np.concatenate([clf.logits_batch28(x[i:i + 1000]).argmax(1)
                                 for i in range(0, len(x), 1000)])
        rows[name] |= {"views": clf.policy.views,
                       "test_accuracy_one_view": float((digits == labels[:len(x)]).mean())}
    ratios = {f"{name}_over_torch": {key: round(rows[name][key] / rows["torch"][key], 2)
                                     for key in rows["torch"] if key.endswith(("_s", "_ms"))}
              for name in ("onnx", "onnx-int8")}
    folding = {key: round(rows["torch"][key] / rows["torch-plain"][key], 2)
               for key in rows["torch"] if key.endswith(("_s", "_ms"))}
    report = {"machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
              "cpu_threads": args.threads, "images": len(x), "rounds": args.repeats,
              "load_average_before": load_before,
              "load_average_after": [round(v, 2) for v in os.getloadavg()],
              **rows, **ratios, "torch_over_torch_plain": folding}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
