"""Course 4's batch-size procedure: double the mini-batch, watch time per epoch and step and
validation accuracy against wall-clock time.

The seed: "doubling the batch size should (almost) double the training speed; time per
step should be almost the same if the memory of the GPU hasn't saturated". On a CPU the
step's work grows with the batch, so only the fixed per-step overhead is saved: the epoch
gets faster, by less than 2x per doubling, and the step slower.
"""

from __future__ import annotations

import numpy as np

from braintank.experiments.plotting import pyplot
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.experiments.training import fit, mnist
from braintank.scratch.model import mlp
from braintank.scratch.optim import make_optimizer

TITLE = "Batch size: time per epoch and validation accuracy against time"
LR = 0.05


def settings(quick: bool) -> dict:
    if quick:
        return {"batches": [16, 32, 64, 128, 256], "n_train": 1000, "n_val": 500, "epochs": 2}
    return {"batches": [16, 32, 64, 128, 256, 512, 1024], "n_train": 50000, "n_val": 10000,
            "epochs": 5}


def _figure(runs: dict[int, dict]):
    plt = pyplot()
    fig, (ax_time, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    sizes = list(runs)
    ax_time.loglog(sizes, [r["epoch_seconds"] for r in runs.values()], "o-", label="epoch")
    ax_time.loglog(sizes, [r["step_ms"] / 1000 for r in runs.values()], "s-", label="step")
    ax_time.set(xlabel="batch size", ylabel="seconds", title="time per epoch / per step")
    ax_time.legend()
    for size, r in runs.items():
        ax_acc.plot(np.cumsum(r["seconds"]), r["val_acc"], "o-", label=f"batch {size}")
    ax_acc.set(xlabel="training time (s)", ylabel="validation accuracy",
               title="validation accuracy vs time")
    ax_acc.legend(fontsize=7)
    fig.tight_layout()
    return fig


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    s = settings(quick)
    # the test images serve as the validation set here: nothing is tuned on them
    data = mnist(s["n_train"], s["n_val"])
    runs = {}
    for size in s["batches"]:
        model = mlp([784, 100, 10], "relu", "he_normal", seed=0)
        curves = fit(model, make_optimizer("sgd", LR), data, s["epochs"], size,
                     label=f"batch {size}", progress=progress)
        epoch_seconds = float(np.median(curves.seconds))
        runs[size] = {"epoch_seconds": epoch_seconds,
                      "step_ms": 1000 * epoch_seconds / -(-s["n_train"] // size),
                      "seconds": curves.seconds, "val_acc": curves.test_acc}
    sizes = s["batches"]
    speedups = [runs[a]["epoch_seconds"] / runs[b]["epoch_seconds"]
                for a, b in zip(sizes, sizes[1:], strict=False)]
    numbers = {"settings": s, "lr": LR, "runs": runs, "speedup_per_doubling": speedups}
    first, last = runs[sizes[0]], runs[sizes[-1]]
    comparisons = [
        Comparison("epoch time per doubling of the batch", "almost 2x faster (GPU)",
                   ", ".join(f"{x:.2f}x" for x in speedups), None,
                   "CPU, 2 shared cores: the step's work grows with the batch; only the "
                   "per-step overhead is saved, so speedups shrink as batches grow"),
        Comparison("time per step", "almost constant until memory saturates",
                   f"{first['step_ms']:.2f} ms at {sizes[0]} -> {last['step_ms']:.2f} ms at "
                   f"{sizes[-1]}", last["step_ms"] < 2 * first["step_ms"],
                   "on a CPU the work per step grows with the batch: no idle parallel units "
                   "for a bigger batch to fill"),
        Comparison("validation accuracy after the same epochs", "(seed: stop when bigger "
                   "batches hurt)", ", ".join(f"{n}: {100 * r['val_acc'][-1]:.1f}%"
                                              for n, r in runs.items()), None,
                   f"fixed lr {LR}: bigger batches take fewer steps per epoch"),
    ]
    return ExperimentResult("batch-size", TITLE, quick, numbers, comparisons,
                            {"batch_size": _figure(runs)})
