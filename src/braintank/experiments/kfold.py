"""Course 1's evaluation: the seed's worked confusion counts, then k-fold cross-validation.

The seed's cat detector has TP = 4, TN = 2, FN = 1, FP = 2, and averages a 3-fold FPR as
(3% + 4% + 5%) / 3 = 4%. Here braintank.evaluation computes the same rates from those
counts, then a small MLP is cross-validated on MNIST: k partitions, each in turn the test
set of a network trained on the other k-1, every rate reported as mean ± std over folds.
"""

from __future__ import annotations

import numpy as np

from braintank.evaluation.metrics import classification_report, per_class_rates
from braintank.experiments.plotting import pyplot
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.experiments.training import fit, mnist
from braintank.scratch.model import mlp
from braintank.scratch.optim import make_optimizer

TITLE = "Evaluation metrics and k-fold cross-validation"
RATES = ("precision", "recall", "f1", "specificity", "fpr", "fnr")
# the seed's cat example, as a 2x2 confusion matrix: rows truth (cat, other), cols prediction
SEED_COUNTS = {"tp": 4, "tn": 2, "fn": 1, "fp": 2}
SEED_RATES = {"accuracy": 6 / 9, "fpr": 2 / 4, "fnr": 1 / 5, "precision": 4 / 6,
              "recall": 4 / 5, "specificity": 2 / 4, "f1": 2 * 4 / (2 * 4 + 2 + 1)}


def seed_example() -> dict[str, float]:
    """The rates of the seed's example for the class 'cat' (index 0)."""
    c = SEED_COUNTS
    cm = np.array([[c["tp"], c["fn"]], [c["fp"], c["tn"]]])
    rates, _ = per_class_rates(cm)
    result = {name: float(rates[name][0]) for name in RATES}
    result["accuracy"] = float(np.trace(cm) / cm.sum())
    return result


def fold_indices(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    """k disjoint partitions of a seeded permutation of range(n), sizes within one."""
    return np.array_split(np.random.default_rng(seed).permutation(n), k)


def cross_validate(n: int, k: int, epochs: int, progress: bool) -> list[dict]:
    """One classification report (macro rates + accuracy) per held-out fold."""
    data = mnist(n, 1)  # the test image is unused: each fold tests on its own partition
    x, y = data["x_train"], data["y_train"]
    reports = []
    for i, test_idx in enumerate(fold_indices(n, k)):
        train_idx = np.setdiff1d(np.arange(n), test_idx)
        fold = {"x_train": x[train_idx], "y_train": y[train_idx],
                "x_test": x[test_idx], "y_test": y[test_idx]}
        model = mlp([784, 64, 10], "relu", "he_normal", seed=i)
        fit(model, make_optimizer("adam", 1e-3), fold, epochs, 32, seed=i,
            label=f"fold {i + 1}/{k}", progress=progress)
        report = classification_report(fold["y_test"], model.predict(fold["x_test"]))
        reports.append({"accuracy": report["accuracy"], **report["macro"]})
    return reports


def _figure(reports: list[dict]):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    names = ["accuracy", *RATES]
    values = np.array([[r[n] for n in names] for r in reports])
    for i, row in enumerate(values):
        ax.plot(names, row, "o", alpha=0.6, label=f"fold {i + 1}")
    ax.errorbar(names, values.mean(0), yerr=values.std(0), fmt="k_", ms=20, capsize=5,
                label="mean ± std")
    ax.set(ylabel="macro value", title="per-fold metrics (MNIST, 784-64-10)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    n, k, epochs = (900, 3, 3) if quick else (16000, 8, 5)
    example = seed_example()
    reports = cross_validate(n, k, epochs, progress)
    names = ["accuracy", *RATES]
    summary = {name: {"mean": float(np.mean([r[name] for r in reports])),
                      "std": float(np.std([r[name] for r in reports]))} for name in names}
    numbers = {"n": n, "k": k, "epochs": epochs, "seed_example": example, "folds": reports,
               "summary": summary}
    comparisons = [
        Comparison(f"seed's example: {name}", f"{100 * SEED_RATES[name]:.1f}%",
                   f"{100 * example[name]:.1f}%", abs(example[name] - SEED_RATES[name]) < 1e-9)
        for name in ("accuracy", "fpr", "fnr", "precision", "recall", "specificity", "f1")]
    comparisons.append(Comparison(
        f"{k}-fold mean ± std (macro)", "mean over folds, e.g. FPR (3% + 4% + 5%) / 3 = 4%",
        ", ".join(f"{name} {100 * v['mean']:.2f} ± {100 * v['std']:.2f}%"
                  for name, v in summary.items()), None,
        f"{n} MNIST training images, {epochs} epochs per fold"))
    return ExperimentResult("kfold", TITLE, quick, numbers, comparisons,
                            {"kfold": _figure(reports)})
