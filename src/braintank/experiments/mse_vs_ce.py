"""Course 4's learning slowdown: one sigmoid neuron, input 1, target 0, quadratic vs cross-entropy.

With the quadratic cost the gradient carries σ'(z), which is tiny when the neuron starts
badly wrong and saturated (w = b = 2: output 0.98), so it barely moves for many epochs;
cross-entropy's gradient is (a - y)·x, largest exactly when the error is largest. The course
(after Nielsen, ch. 3) uses η = 0.15 for the quadratic cost and η = 0.005 for cross-entropy:
the rates differ because the costs do, what is compared is the shape of the curve.
"""

from __future__ import annotations

import numpy as np

from braintank.experiments.plotting import pyplot
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.scratch.activations import Sigmoid
from braintank.scratch.dense import Dense
from braintank.scratch.losses import BinaryCrossEntropy, MSELoss
from braintank.scratch.model import Sequential
from braintank.scratch.optim import make_optimizer

TITLE = "Learning slowdown: quadratic cost vs cross-entropy on one sigmoid neuron"
STARTS = {"good start (w=0.6, b=0.9)": (0.6, 0.9), "bad start (w=2, b=2)": (2.0, 2.0)}
COSTS = {"quadratic": (MSELoss, 0.15), "cross-entropy": (BinaryCrossEntropy, 0.005)}
X = np.ones((1, 1))
TARGET = np.zeros((1, 1))


def train_neuron(cost: str, w: float, b: float, epochs: int) -> list[float]:
    """The neuron's output after each of `epochs` gradient steps (output[0] is the start)."""
    loss_cls, lr = COSTS[cost]
    model = Sequential([Dense(1, 1, init="zeros", dtype="float64"), Sigmoid()])
    model.layers[0].W[...] = w
    model.layers[0].b[...] = b
    # the single dense layer is also the first: it must still hand back nothing upstream
    loss, optimizer = loss_cls(), make_optimizer("sgd", lr)
    outputs = [float(model.forward(X)[0, 0])]
    for _ in range(epochs):
        loss.forward(model.forward(X), TARGET)
        model.backward(loss.backward())
        optimizer.step([model.flat_params], [model.flat_grads])
        outputs.append(float(model.forward(X)[0, 0]))
    return outputs


def cost_of(cost: str, outputs: list[float]) -> np.ndarray:
    """Each output's cost against target 0: a²/2 (quadratic) or -ln(1 - a) (cross-entropy)."""
    a = np.asarray(outputs)
    return a ** 2 / 2 if cost == "quadratic" else -np.log1p(-a)


def steepest_epoch(cost: str, outputs: list[float]) -> int:
    """The epoch whose step lowered the cost most, relative to the starting cost."""
    return int(np.argmax(-np.diff(cost_of(cost, outputs))))


def _figure(curves: dict[str, dict[str, list[float]]]):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, (start, by_cost) in zip(axes, curves.items(), strict=True):
        for cost, outputs in by_cost.items():
            relative = cost_of(cost, outputs) / cost_of(cost, outputs)[0]
            ax.plot(relative, label=f"{cost} (η = {COSTS[cost][1]})")
        ax.set(title=start, xlabel="epoch", ylabel="cost / starting cost", ylim=(0, 1.05))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    epochs = 300 if quick else 1000
    curves = {start: {cost: train_neuron(cost, w, b, epochs) for cost in COSTS}
              for start, (w, b) in STARTS.items()}
    steepest = {start: {cost: steepest_epoch(cost, out) for cost, out in by.items()}
                for start, by in curves.items()}
    bad = curves["bad start (w=2, b=2)"]
    first_10 = {cost: float(1 - cost_of(cost, out)[10] / cost_of(cost, out)[0])
                for cost, out in bad.items()}
    numbers = {"epochs": epochs, "outputs": curves, "steepest_cost_drop_epoch": steepest,
               "bad_start_cost_drop_first_10_epochs": first_10,
               "final_output": {s: {c: o[-1] for c, o in by.items()} for s, by in curves.items()}}
    quad, ce = steepest["bad start (w=2, b=2)"].values()
    comparisons = [
        Comparison("bad start, quadratic cost", "learns slowly at first (plateau), then faster",
                   f"cost fell {100 * first_10['quadratic']:.2f}% in 10 epochs; steepest "
                   f"drop at epoch {quad}", quad > 50, "σ'(z) ≈ 0.018 at a = 0.98"),
        Comparison("bad start, cross-entropy", "learns fastest at the start, when most wrong",
                   f"cost fell {100 * first_10['cross-entropy']:.2f}% in 10 epochs; steepest "
                   f"drop at epoch {ce}", ce < 5, "its gradient is (a - y)x, no σ'(z)"),
    ]
    notes = ["The seed describes the experiment, not its numbers; the rates are the textbook "
             "ones (Nielsen ch. 3) the slides follow, η = 0.15 (quadratic) and 0.005 "
             "(cross-entropy). The steepest-drop epoch does not depend on η's scale, only the "
             "time axis does. Quick: 300 epochs, full: 1000."]
    return ExperimentResult("mse-vs-ce", TITLE, quick, numbers, comparisons,
                            {"mse_vs_ce": _figure(curves)}, notes)
