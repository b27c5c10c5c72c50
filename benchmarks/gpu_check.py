"""One-shot check of the GPU goals (issue 14, item 3), for a session that has a GPU: < 5 min.

    BRAINTANK_DATA=... python benchmarks/gpu_check.py            # --device cuda, 270 s budget

Trains each preset (`cnn`, and `fast` where that preset exists) with braintank's own training
step, as `time_to_99.py --milestones` does, in variants: bf16 (the CUDA default), bf16 with
CUDA graphs (`--compile graphs`), fp32. Seeds or variants that would start after `--budget`
seconds are left out and the report says how many ran. Prints one JSON object: every report,
and for each preset and variant the goals against their targets:
- mean seconds to 99.0% test accuracy over 10 seeds <= 0.05 (every seed reaching it);
- mean seconds to 99.5% <= 1.5 (every seed reaching it);
- mean over 3 seeds of the test accuracy after 10 s of training >= 99.7%.
The clock runs only while training (the device synchronised around it); compilation and
cuDNN autotuning happen in a warm-up run reported apart as warmup_seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import traceback

import torch
from time_to_99 import MEAN, STD, milestone_report

from braintank.data import load_split
from braintank.data.transforms import to_tensor
from braintank.training.presets import PRESETS

VARIANTS = {  # name -> (settings, seeds it needs)
    "bf16": ({"precision": "bf16", "compile": "none"}, 10),
    "bf16+graphs": ({"precision": "bf16", "compile": "graphs"}, 10),
    "fp32": ({"precision": "fp32", "compile": "none"}, 3),
}
GOALS = {"99.0": 0.05, "99.5": 1.5}  # milestone -> most mean seconds
BUDGET_SECONDS, BUDGET_ACCURACY, BUDGET_SEEDS = 10.0, 0.997, 3


def goals(report: dict) -> dict:
    """Each goal's measured value, its target and whether it is met."""
    runs, out = report["runs"], {}
    for key, target in GOALS.items():
        times = [r["reached"][key]["seconds"] for r in runs if r["reached"][key]]
        every = bool(runs) and len(times) == len(runs)
        mean = statistics.mean(times) if every else None
        out[f"mean_seconds_to_{key}"] = {"measured": mean, "target": target,
                                         "seeds": f"{len(times)}/{len(runs)} reached",
                                         "met": mean is not None and mean <= target}
    first = [r["accuracy_at_budget"] or 0.0 for r in runs[:BUDGET_SEEDS]]
    mean = statistics.mean(first) if len(first) == BUDGET_SEEDS else None
    out[f"mean_accuracy_after_{BUDGET_SECONDS:g}s"] = {
        "measured": mean, "target": BUDGET_ACCURACY, "seeds": len(first),
        "met": mean is not None and mean >= BUDGET_ACCURACY}
    return out


def load_data(device: torch.device, train_size: int):
    images, labels = load_split("mnist", "train")
    test_images, test_labels = load_split("mnist", "test")
    if train_size:
        images, labels = images[:train_size], labels[:train_size]
    return (to_tensor(images, MEAN, STD, device), torch.tensor(labels).to(device),
            to_tensor(test_images, MEAN, STD, device), torch.tensor(test_labels).to(device))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--budget", type=float, default=270.0,
                        help="seconds after which no further seed or variant starts")
    parser.add_argument("--presets", nargs="+",
                        default=["cnn"] + (["fast"] if "fast" in PRESETS else []))
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--seeds", type=int, help="seeds per variant (default: its goal's)")
    parser.add_argument("--eval-every", type=int, default=10)
    parser.add_argument("--train-size", type=int, default=0, help="smoke tests: fewer images")
    parser.add_argument("--epochs", type=int, help="smoke tests: fewer epochs")
    args = parser.parse_args()
    deadline = time.monotonic() + args.budget
    device = torch.device(args.device)
    data = load_data(device, args.train_size)
    extra = {"epochs": args.epochs} if args.epochs else {}
    result = {"device": str(device), "torch": torch.__version__,
              "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
              "budget_seconds": args.budget, "reports": {}, "goals": {}}
    for preset in args.presets:
        for name in args.variants:
            key = f"{preset}/{name}"
            if time.monotonic() > deadline:
                result["reports"][key] = {"skipped": "out of time"}
                continue
            settings, seeds = VARIANTS[name]
            try:
                report = milestone_report(preset, list(range(args.seeds or seeds)), data,
                                          args.eval_every, device, settings | extra,
                                          BUDGET_SECONDS, deadline=deadline)
            except Exception as exc:  # noqa: BLE001 - one failed variant must not lose the rest
                result["reports"][key] = {"error": f"{type(exc).__name__}: {exc}"[:500],
                                          "traceback": traceback.format_exc()[-2000:]}
                continue
            result["reports"][key] = report
            if report["runs"]:
                result["goals"][key] = goals(report)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
