"""Inference speed of a braintank model: torch eager vs ONNX Runtime on the CPU.

Measures throughput on batches of MNIST test images and single-image latency (median of many
calls), both runtimes in the same process on the same inputs, and prints the ratios. A third
row, "torch-plain", runs the network as trained (batch norm unfolded, NCHW memory): the
baseline for braintank's eval-time folding and channels-last (`inference/optimize.py`).
Usage: python benchmarks/inference_speed.py [--model PATH] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np
import torch

from braintank.data import load_split
from braintank.inference.classifier import DigitClassifier


def throughput(clf: DigitClassifier, x: np.ndarray, batch: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(x), batch):
            clf.logits_batch28(x[i:i + batch])
        best = min(best, time.perf_counter() - start)
    return len(x) / best


def latency_ms(clf: DigitClassifier, x: np.ndarray, calls: int = 300) -> float:
    times = []
    for i in range(calls):
        start = time.perf_counter()
        clf.logits_batch28(x[i % len(x)][None])
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="CPU threads for both runtimes' intra-op work")
    parser.add_argument("--images", type=int, default=10000, help="test images per pass")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    images, _ = load_split("mnist", "test")
    x = images[:args.images].astype(np.float32) / 255.0
    runtimes = {name: DigitClassifier.load(args.model, runtime=name) for name in ("torch", "onnx")}
    runtimes["torch-plain"] = DigitClassifier.load(args.model, optimize=False)
    rows = {}
    for name, clf in runtimes.items():
        clf.logits_batch28(x[:256])  # warm-up
        rows[name] = {f"batch{b}_img_per_s": round(throughput(clf, x, b)) for b in (1000, 256, 32)}
        rows[name]["single_latency_ms"] = round(latency_ms(clf, x), 3)
    ratios = {key: round(rows["onnx"][key] / rows["torch"][key], 2) for key in rows["torch"]}
    folding = {key: round(rows["torch"][key] / rows["torch-plain"][key], 2)
               for key in rows["torch"]}
    report = {"machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
              "cpu_threads": args.threads, **rows, "onnx_over_torch": ratios,
              "torch_over_torch_plain": folding}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
