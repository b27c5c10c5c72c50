"""Course 6's optimizers racing: the same 784-500-300-10 ReLU network, data and seed for each,
and the paths they take on a 2-weight loss surface (the course's animations).

Each optimizer gets a learning rate from its usual range (the seed names the methods, not
a shared rate; one rate for all would make the race about the rate). Rprop uses the sign of
the full-batch gradient, so it trains full-batch, as the course says it must.
"""

from __future__ import annotations

import numpy as np

from braintank.experiments.plotting import curves_figure, pyplot
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.experiments.training import fit, mnist
from braintank.scratch.model import mlp
from braintank.scratch.optim import make_optimizer

TITLE = "Optimizers on the same network, data and seed"
RATES = {"sgd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.01, "rmsprop": 0.001,
         "adam": 0.001, "nadam": 0.001, "adadelta": 1.0}
RPROP_RATE = 0.001
# the toy surface: an elongated bowl, 0.05x² + 2y², from (-9, 2); rates suited to each
TOY_START = np.array([-9.0, 2.0])
TOY_RATES = {"sgd": 0.2, "momentum": 0.05, "nesterov": 0.05, "adagrad": 1.0,
             "rmsprop": 0.1, "adam": 0.3, "nadam": 0.3, "adadelta": 1.0, "rprop": 0.1}
TOY_CURVATURE = np.array([0.1, 4.0])  # the Hessian's diagonal


def toy_loss(p: np.ndarray) -> float:
    return float(0.5 * (TOY_CURVATURE * p ** 2).sum())


def toy_path(name: str, steps: int) -> np.ndarray:
    p = TOY_START.copy()
    optimizer = make_optimizer(name, TOY_RATES[name])
    path = [p.copy()]
    for _ in range(steps):
        optimizer.step([p], [TOY_CURVATURE * p])
        path.append(p.copy())
    return np.array(path)


def _toy_figure(paths: dict[str, np.ndarray]):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    x, y = np.meshgrid(np.linspace(-10, 3, 200), np.linspace(-3, 3, 200))
    ax.contour(x, y, 0.05 * x ** 2 + 2 * y ** 2, levels=15, cmap="Greys", linewidths=0.6)
    for name, path in paths.items():
        ax.plot(path[:, 0], path[:, 1], lw=1, label=f"{name} (final {toy_loss(path[-1]):.1e})")
    ax.plot(0, 0, "r*", ms=10)
    ax.set(xlim=(-10, 3), ylim=(-3, 3), title="2 weights, loss 0.05x² + 2y²: paths")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def settings(quick: bool) -> dict:
    if quick:
        return {"sizes": [784, 64, 32, 10], "n_train": 500, "n_test": 500, "epochs": 3,
                "batch": 32, "rprop_epochs": 15, "toy_steps": 60}
    return {"sizes": [784, 500, 300, 10], "n_train": 5000, "n_test": 5000, "epochs": 5,
            "batch": 64, "rprop_epochs": 50, "toy_steps": 150}


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    s = settings(quick)
    data = mnist(s["n_train"], s["n_test"])
    curves = {}
    for name, lr in RATES.items():
        model = mlp(s["sizes"], "relu", "he_normal", seed=0)
        curves[name] = fit(model, make_optimizer(name, lr), data, s["epochs"], s["batch"],
                           label=name, progress=progress)
    model = mlp(s["sizes"], "relu", "he_normal", seed=0)
    rprop = fit(model, make_optimizer("rprop", RPROP_RATE), data, s["rprop_epochs"],
                s["n_train"], label="rprop", progress=progress)
    final = {n: {"train_loss": c.train_loss[-1], "test_acc": c.test_acc[-1]}
             for n, c in curves.items()}
    final["rprop (full batch)"] = {"train_loss": rprop.train_loss[-1],
                                   "test_acc": rprop.test_acc[-1]}
    paths = {name: toy_path(name, s["toy_steps"]) for name in TOY_RATES}
    toy_final = {name: toy_loss(path[-1]) for name, path in paths.items()}
    ranking = sorted(curves, key=lambda n: curves[n].train_loss[-1])
    numbers = {"settings": s, "rates": RATES, "rprop_rate": RPROP_RATE, "final": final,
               "ranking_by_train_loss": ranking, "toy_final_loss": toy_final,
               "toy_start_loss": toy_loss(TOY_START),
               "curves": {n: c.as_dict() for n, c in curves.items()} | {"rprop": rprop.as_dict()}}
    comparisons = [
        Comparison("every optimizer learns", "all reduce the loss",
                   ", ".join(f"{n} {100 * v['test_acc']:.1f}%" for n, v in final.items()),
                   all(v["test_acc"] > 0.5 for v in final.values()), "test accuracy at the end"),
        Comparison("momentum vs plain SGD on the elongated bowl", "momentum gets further",
                   f"loss after {s['toy_steps']} steps: SGD {toy_final['sgd']:.1e}, momentum "
                   f"{toy_final['momentum']:.1e}, Nesterov {toy_final['nesterov']:.1e}",
                   toy_final["momentum"] < toy_final["sgd"]),
        Comparison("ranking on MNIST", "curves only (no numbers in the text)",
                   "by final training loss: " + " < ".join(ranking), None,
                   "one seed, one rate each: the ranking shifts with the rates chosen"),
    ]
    panels = [("training loss", {n: c.train_loss for n, c in curves.items()}),
              ("test accuracy", {n: c.test_acc for n, c in curves.items()})]
    figures = {"optimizers_mnist": curves_figure(f"{TITLE}: {'-'.join(map(str, s['sizes']))}",
                                                 panels),
               "optimizers_rprop": curves_figure("Rprop, full batch", [
                   ("training loss", {"rprop": rprop.train_loss}),
                   ("test accuracy", {"rprop": rprop.test_acc})]),
               "optimizers_toy": _toy_figure(paths)}
    notes = [f"{s['n_train']} training images, {s['epochs']} epochs, mini-batch {s['batch']}; "
             f"network {'-'.join(map(str, s['sizes']))}"
             + (" (quick: smaller than the seed's 784-500-300-10)" if quick else "") + "."]
    return ExperimentResult("optimizers", TITLE, quick, numbers, comparisons, figures,
                            notes)
