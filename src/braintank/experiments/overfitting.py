"""Course 5's overfitting experiment: 784-36-10 trained on 1,000 images vs on 50,000.

Same network, rate (0.3), mini-batch (10) and cost (cross-entropy); the small set is
trained for 500 epochs, the big one for 30. On 1,000 images the network (28,630
parameters) reaches 100% training accuracy, its test accuracy stops improving and its
test cost rises after an early minimum; the seed's train/test gap: ~18% vs 2.42%.
"""

from __future__ import annotations

from braintank.experiments.plotting import curves_figure
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.experiments.training import Curves, fit, mnist
from braintank.scratch.model import Sequential, mlp
from braintank.scratch.optim import make_optimizer

TITLE = "Overfitting: 784-36-10 on 1,000 vs 50,000 images"
LR, BATCH = 0.3, 10


def small_network(dropout: float = 0.0, seed: int = 0) -> Sequential:
    """The course's 784-36-10 (sigmoid hidden layer, softmax output)."""
    return mlp([784, 36, 10], "sigmoid", "xavier_normal", dropout, "float32", seed)


def settings(quick: bool) -> dict:
    """Sizes and epochs of the small and large runs (quick: a fraction of each)."""
    if quick:
        return {"small": 500, "small_epochs": 25, "large": 4000, "large_epochs": 4, "test": 1000}
    return {"small": 1000, "small_epochs": 500, "large": 50000, "large_epochs": 30,
            "test": 10000}


def summarize(curves: Curves) -> dict:
    """The numbers the course reads off the curves."""
    test_loss, test_acc = curves.test_loss, curves.test_acc
    perfect = [i + 1 for i, a in enumerate(curves.train_acc) if a >= 1.0]
    return {"final_train_acc": curves.train_acc[-1], "final_test_acc": test_acc[-1],
            "gap": curves.train_acc[-1] - test_acc[-1], "best_test_acc": max(test_acc),
            "best_test_epoch": test_acc.index(max(test_acc)) + 1,
            "min_test_loss_epoch": test_loss.index(min(test_loss)) + 1,
            "test_loss_rise": test_loss[-1] - min(test_loss),
            "final_train_loss": curves.train_loss[-1], "final_test_loss": test_loss[-1],
            "first_epoch_train_100": perfect[0] if perfect else None}


def train(n_train: int, epochs: int, n_test: int, label: str, progress: bool,
          dropout: float = 0.0, weight_decay: float = 0.0, n_val: int = 0,
          **fit_args) -> Curves:
    data = mnist(n_train, n_test, n_val=n_val)
    model = small_network(dropout)
    return fit(model, make_optimizer("sgd", LR, weight_decay), data, epochs, BATCH, label=label,
               progress=progress, **fit_args)


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    s = settings(quick)
    small = train(s["small"], s["small_epochs"], s["test"], f"{s['small']} images", progress)
    large = train(s["large"], s["large_epochs"], s["test"], f"{s['large']} images", progress)
    a, b = summarize(small), summarize(large)
    numbers = {"settings": s, "small": a, "large": b,
               "curves": {"small": small.as_dict(), "large": large.as_dict()}}
    n_small, n_large = s["small"], s["large"]
    comparisons = [
        Comparison(f"train/test gap, {n_small} images", "~18%", f"{100 * a['gap']:.1f}%",
                   abs(a["gap"] - 0.18) < 0.05 if not quick else None,
                   "quick: 500 images, 25 epochs" if quick else
                   "our start (Xavier, standardized pixels) generalizes better from 1,000 "
                   "images (test ~88%) than the seed's (~82%), so the same 100% train gives "
                   "a smaller gap"),
        Comparison(f"train/test gap, {n_large} images", "2.42%", f"{100 * b['gap']:.2f}%",
                   abs(b["gap"] - 0.0242) < 0.015 if not quick else None,
                   "quick: 4,000 images, 4 epochs" if quick else ""),
        Comparison(f"training accuracy 100%, {n_small} images", "from about epoch 42",
                   f"from epoch {a['first_epoch_train_100']}",
                   a["first_epoch_train_100"] is not None),
        Comparison(f"test cost minimum, {n_small} images", "about epoch 20, rising after",
                   f"epoch {a['min_test_loss_epoch']}, then up by {a['test_loss_rise']:.3f}",
                   a["test_loss_rise"] > 0.05),
        Comparison(f"best test accuracy, {n_small} images", "about epoch 270, then flat",
                   f"{100 * a['best_test_acc']:.1f}% at epoch {a['best_test_epoch']}, final "
                   f"{100 * a['final_test_acc']:.1f}%", None,
                   "the epoch of a flat curve's maximum is noise"),
    ]
    figure = curves_figure(TITLE, [
        ("accuracy", {f"train, {n_small}": small.train_acc, f"test, {n_small}": small.test_acc,
                      f"train, {n_large}": large.train_acc, f"test, {n_large}": large.test_acc}),
        ("cross-entropy", {f"train, {n_small}": small.train_loss,
                           f"test, {n_small}": small.test_loss,
                           f"test, {n_large}": large.test_loss})])
    notes = [f"Test set: the first {s['test']} MNIST test images; sigmoid hidden layer, "
             "Xavier start, plain SGD."]
    return ExperimentResult("overfitting", TITLE, quick, numbers, comparisons,
                            {"overfitting": figure}, notes)
