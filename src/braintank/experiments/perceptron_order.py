"""Course 2's perceptron on the same separable points in different orders.

Online training moves the hyperplane after every misclassified sample, so the order of
the samples changes how many epochs and weight changes it takes (the seed's four orders:
2/4, 5/15, 9/22, 10/28). Batch training sums the corrections against one fixed hyperplane
per epoch, so every order gives the same epochs, changes and final weights.
"""

from __future__ import annotations

import numpy as np

from braintank.experiments.plotting import pyplot
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.scratch.perceptron import Perceptron

TITLE = "Perceptron: online training depends on sample order, batch does not"
SEED_RESULTS = [(2, 4), (5, 15), (9, 22), (10, 28)]
LR = 0.02  # the seed's α


def separable_points(n: int, seed: int = 0, margin: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """n points in [-1, 1]² labelled by the side of x + 2y = 0.3, none nearer than `margin`."""
    rng = np.random.default_rng(seed)
    points = []
    while len(points) < n:
        p = rng.uniform(-1, 1, 2)
        if abs(p[0] + 2 * p[1] - 0.3) / np.sqrt(5) >= margin:
            points.append(p)
    x = np.array(points)
    return x, np.where(x[:, 0] + 2 * x[:, 1] > 0.3, 1, -1)


def train_in_order(x, y, order, mode: str) -> Perceptron:
    # shuffle=False keeps the given order; one seed gives every order the same start
    return Perceptron(lr=LR, mode=mode, shuffle=False, max_epochs=1000, seed=0).fit(
        x[order], y[order])


def _figure(x, y, online: list[Perceptron], batch: Perceptron):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.scatter(x[y > 0, 0], x[y > 0, 1], c="tab:green", s=18, label="+1")
    ax.scatter(x[y < 0, 0], x[y < 0, 1], c="tab:red", s=18, label="-1")
    xs = np.linspace(-1, 1, 2)
    for i, p in enumerate(online):
        w, b = p.weights_, p.bias_
        ax.plot(xs, -(w[0] * xs + b) / w[1], lw=0.8,
                label=f"online order {i + 1}: {p.epochs_} ep / {p.changes_} ch")
    w, b = batch.weights_, batch.bias_
    ax.plot(xs, -(w[0] * xs + b) / w[1], "k--", lw=1.6, label="batch (every order)")
    ax.set(xlim=(-1, 1), ylim=(-1, 1), title="final hyperplanes")
    ax.legend(fontsize=6.5, loc="lower left")
    fig.tight_layout()
    return fig


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    n_points, n_orders = (30, 6) if quick else (60, 20)
    x, y = separable_points(n_points)
    rng = np.random.default_rng(1)
    orders = [rng.permutation(n_points) for _ in range(n_orders)]
    online = [train_in_order(x, y, o, "online") for o in orders]
    batch = [train_in_order(x, y, o, "batch") for o in orders]
    online_pairs = [(p.epochs_, p.changes_) for p in online]
    batch_pairs = [(p.epochs_, p.changes_) for p in batch]
    spread = max(float(np.abs(p.weights_ - batch[0].weights_).max()) for p in batch)
    numbers = {"n_points": n_points, "lr": LR, "online_epochs_changes": online_pairs,
               "batch_epochs_changes": batch_pairs, "all_converged":
               all(p.converged_ for p in online + batch), "batch_weight_spread": spread}
    comparisons = [
        Comparison("online: (epochs, changes) per order",
                   ", ".join(f"{e}/{c}" for e, c in SEED_RESULTS),
                   ", ".join(f"{e}/{c}" for e, c in online_pairs),
                   len(set(online_pairs)) > 1,
                   "different data (the seed's 6 points are only drawn), same shape: "
                   "the order changes both counts"),
        Comparison("batch: (epochs, changes) per order", "the same for every order",
                   ", ".join(sorted({f"{e}/{c}" for e, c in batch_pairs})) +
                   f"; weights differ by at most {spread:.1e}",
                   len(set(batch_pairs)) == 1 and spread < 1e-9,
                   "only float summation order differs"),
    ]
    return ExperimentResult("perceptron-order", TITLE, quick, numbers, comparisons,
                            {"perceptron_order": _figure(x, y, online[:6], batch[0])})
