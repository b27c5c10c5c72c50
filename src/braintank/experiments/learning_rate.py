"""Course 4's learning-rate search: raise it 10x at a time until the cost oscillates.

"Start with a value where the training cost decreases in the first iterations. Increase it
by magnitude (10) until the network starts oscillating. This is the threshold. Refine it
by slowly increasing until the cost oscillates again; the value should be a factor or two
below the threshold." The cost is monitored every 10 mini-batches, as the seed advises.
"""

from __future__ import annotations

import math

import numpy as np

from braintank.experiments.plotting import pyplot
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.experiments.training import mnist
from braintank.scratch.data import minibatches
from braintank.scratch.losses import SoftmaxCrossEntropy
from braintank.scratch.model import mlp
from braintank.scratch.optim import make_optimizer

TITLE = "Learning-rate threshold search (x10 until the cost oscillates)"
MONITOR_EVERY = 10  # mini-batches
BATCH = 32


def cost_trace(data: dict, lr: float, steps: int) -> list[float]:
    """Mean training cost over each window of MONITOR_EVERY mini-batches (inf once diverged)."""
    model = mlp([784, 100, 10], "relu", "he_normal", seed=0)
    optimizer, loss = make_optimizer("sgd", lr), SoftmaxCrossEntropy()
    rng = np.random.default_rng(1)
    trace, window = [], []
    while len(trace) * MONITOR_EVERY < steps:
        for xb, yb in minibatches(data["x_train"], data["y_train"], BATCH, rng):
            with np.errstate(over="ignore", invalid="ignore"):
                value = loss.forward(model.forward(xb), yb)
            if not math.isfinite(value) or value > 1e3:
                return trace + [math.inf]
            model.backward(loss.backward())
            optimizer.step([model.flat_params], [model.flat_grads])
            window.append(value)
            if len(window) == MONITOR_EVERY:
                trace.append(float(np.mean(window)))
                window = []
            if len(trace) * MONITOR_EVERY >= steps:
                break
    return trace


def oscillates(trace: list[float]) -> bool:
    """Diverged, overshot (cost above 3·ln 10, far worse than guessing: it then often settles
    at chance with dead ReLUs), no lower than where it started, or rising as often as falling."""
    if not trace or not math.isfinite(trace[-1]):
        return True
    rises = sum(b > a for a, b in zip(trace, trace[1:], strict=False))
    overshot = max(trace) > 3 * math.log(10)
    return overshot or trace[-1] >= trace[0] or rises >= (len(trace) - 1) / 2


def search(data: dict, start: float, steps: int) -> tuple[dict[float, list[float]], float]:
    """Traces for start, 10·start, ... up to the first that oscillates (the threshold)."""
    traces, lr = {}, start
    while True:
        traces[lr] = cost_trace(data, lr, steps)
        if oscillates(traces[lr]) or lr >= 1e4:
            return traces, lr
        lr = float(f"{lr * 10:.0e}")


def refine(data: dict, threshold: float, steps: int) -> tuple[dict[float, list[float]], float]:
    """From threshold/10, raise by 2x until the cost oscillates again: the refined threshold."""
    traces, lr = {}, threshold / 10
    while lr * 2 < threshold:
        lr *= 2
        traces[lr] = cost_trace(data, lr, steps)
        if oscillates(traces[lr]):
            return traces, lr
    return traces, threshold


def _figure(traces: dict[float, list[float]]):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for lr, trace in sorted(traces.items()):
        finite = [v if math.isfinite(v) else np.nan for v in trace]
        ax.semilogy(np.arange(1, len(finite) + 1) * MONITOR_EVERY, finite, label=f"lr {lr:g}")
    ax.set(xlabel="mini-batch", ylabel="training cost (mean of 10 batches)",
           title="cost for each learning rate tried")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    n_train, steps = (1000, 60) if quick else (10000, 600)
    data = mnist(n_train, 1)
    traces, threshold = search(data, 1e-3, steps)
    refined, refined_threshold = refine(data, threshold, steps)
    chosen = refined_threshold / 2
    final = {lr: t[-1] for lr, t in {**traces, **refined}.items()}
    numbers = {"n_train": n_train, "steps": steps, "tried_x10": list(traces),
               "threshold": threshold, "tried_refine": list(refined),
               "refined_threshold": refined_threshold, "chosen": chosen,
               "final_cost": {str(k): v for k, v in final.items()},
               "traces": {str(k): v for k, v in {**traces, **refined}.items()}}
    learned = [lr for lr in traces if not oscillates(traces[lr])]
    comparisons = [
        Comparison("x10 search", "the cost decreases below the threshold, oscillates at it",
                   f"tried {', '.join(f'{lr:g}' for lr in traces)}: decreasing up to "
                   f"{max(learned):g}, oscillating at {threshold:g}" if learned else
                   "no rate learned", bool(learned) and threshold > max(learned)),
        Comparison("refined threshold and choice", "a factor or two below the threshold",
                   f"oscillates again at {refined_threshold:g}; chosen lr {chosen:g}", None,
                   "784-100-10 ReLU, SGD, mini-batch 32"),
    ]
    return ExperimentResult("learning-rate", TITLE, quick, numbers, comparisons,
                            {"learning_rate": _figure({**traces, **refined})})
