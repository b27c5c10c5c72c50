"""Seconds to read one 300-dpi page of 100 cells (goal: <= 1 s on 2 CPU cores).

Side by side with the baseline every reader pays anyway (decoding the page image), and with
a breakdown by stage, on simulated photos written as JPEG files.

    python benchmarks/sheet_speed.py [--pages 6] [--threads 2] [--model PATH]
                                     [--runtime torch|onnx|onnx-int8]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from braintank.cli.runtime import load_classifier
from braintank.data import load_split
from braintank.imaging.images import load_image
from braintank.inference.runtimes import RUNTIMES
from braintank.sheets.printing.layout import make_layout
from braintank.sheets.reading import reader
from braintank.sheets.simulating.simulate import simulate_sheet


def _timed(fn, *args):
    """(result, (wall seconds, CPU seconds of this process))."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, np.array([time.perf_counter() - wall, time.process_time() - cpu])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="pages to time")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (torch, OpenCV)")
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--runtime", choices=RUNTIMES, default="torch",
                        help="engine running the network (default torch)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    images, labels = load_split("mnist", "test")
    clf = load_classifier(args.model, args.runtime)
    layout = make_layout(10, 10, "Speed")
    rng = np.random.default_rng(7)
    stages = {name: np.zeros(2) for name in ("decode (baseline)", "markers+warp+code",
                                             "cells", "preprocess+classify")}
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.pages):
            sheet = simulate_sheet(layout, images, labels, rng, dpi=300)
            paths.append(Path(tmp) / f"page{i}.jpg")
            paths[-1].write_bytes(sheet.data)
        reader.read_page(load_image(paths[0]), clf, layout)  # warm-up
        for path in paths:
            grey, t = _timed(load_image, path)
            stages["decode (baseline)"] += t
            placed, t = _timed(reader.rectify, grey)
            stages["markers+warp+code"] += t
            cuts, t = _timed(reader.cut_cells, placed.page, placed.ink,
                             reader.resolve_layout(placed.code, layout))
            stages["cells"] += t
            _, t = _timed(reader.classify, cuts, layout, clf)
            stages["preprocess+classify"] += t
    n = args.pages
    total = sum(stages.values()) / n
    base = stages["decode (baseline)"] / n
    print(f"{args.threads} threads, {n} pages of 100 cells at 300 dpi (JPEG), model {clf.name}, "
          f"runtime {args.runtime}")
    print(f"  {'stage':<22} {'wall s/page':>12} {'CPU s/page':>12}")
    for name, seconds in stages.items():
        print(f"  {name:<22} {seconds[0] / n:12.3f} {seconds[1] / n:12.3f}")
    print(f"  {'total':<22} {total[0]:12.3f} {total[1]:12.3f}  "
          f"({total[0] / base[0]:.1f}x the decode baseline, wall)")
    # CPU time is what the page costs when the machine is shared; wall time on an idle
    # 2-core machine is at most about that.


if __name__ == "__main__":
    main()
