"""Course 5's cures for the 1,000-image overfitting: dropout, max-norm, L2, early stopping.

The overfitting experiment's small-data run again, with 50% dropout in the hidden layer,
50% dropout + max-norm 5, L2 weight decay, and early stopping on a held-out validation
set; then 20% dropout on the full training set. The seed shows these as curves without
numbers, so what is compared is the direction: a smaller train/test gap, a test accuracy
at least as high.
"""

from __future__ import annotations

from braintank.experiments.overfitting import settings, summarize, train
from braintank.experiments.plotting import curves_figure
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.scratch.regularization import EarlyStopping

TITLE = "Regularization: dropout, max-norm, L2 and early stopping on 1,000 images"
L2 = 5e-4   # coupled weight decay (g + λw): Nielsen's λ = 0.1 over n = 1,000 is 1e-4
MAX_NORM = 5.0
PATIENCE = 10
VARIANTS = {
    "none": {},
    "dropout 50%": {"dropout": 0.5},
    "dropout 50% + max-norm 5": {"dropout": 0.5, "max_norm": MAX_NORM},
    "L2": {"weight_decay": L2},
    "early stopping": {"n_val": 1000, "patience": PATIENCE},
}


WHY = {"dropout 50%": "36 sigmoid units: with half dropped the rest grow their weights and "
                      "the full network is overconfident at test time (higher test cost)",
       "dropout 50% + max-norm 5": "max-norm caps that growth: test cost below dropout alone",
       "L2": "lowers the test cost; 5e-4 is too weak to change the gap"}


def _early_stop(patience: int):
    stopper = EarlyStopping(patience)
    return lambda curves: stopper.update(len(curves.val_loss), curves.val_loss[-1])


def run_variant(name: str, n_train: int, epochs: int, n_test: int, progress: bool) -> dict:
    args = dict(VARIANTS[name])
    patience = args.pop("patience", None)
    if patience:
        args["stop"] = _early_stop(patience)
    curves = train(n_train, epochs, n_test, name, progress, **args)
    return {"curves": curves, "summary": summarize(curves), "epochs_run": len(curves.test_acc)}


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    s = settings(quick)
    small = {name: run_variant(name, s["small"], s["small_epochs"], s["test"], progress)
             for name in VARIANTS}
    full = {p: train(s["large"], s["large_epochs"], s["test"], f"dropout {p}", progress,
                     dropout=p) for p in (0.0, 0.2)}
    full_acc = {p: summarize(c)["final_test_acc"] for p, c in full.items()}
    base = small["none"]["summary"]
    numbers = {"settings": s, "small": {n: {**v["summary"], "epochs_run": v["epochs_run"]}
                                        for n, v in small.items()},
               "full_data_test_acc": {f"dropout {p}": a for p, a in full_acc.items()}}
    comparisons = []
    for name, v in small.items():
        if name == "none":
            continue
        summary = v["summary"]
        comparisons.append(Comparison(
            f"{name}, {s['small']} images: gap / test accuracy / test cost",
            "smaller gap, better test accuracy than without",
            f"{100 * summary['gap']:.1f}% / {100 * summary['final_test_acc']:.1f}% / "
            f"{summary['final_test_loss']:.3f} (none: {100 * base['gap']:.1f}% / "
            f"{100 * base['final_test_acc']:.1f}% / {base['final_test_loss']:.3f})"
            + (f", stopped at epoch {v['epochs_run']}" if name == "early stopping" else ""),
            summary["gap"] < base["gap"]
            and summary["final_test_acc"] >= base["final_test_acc"] - 0.005,
            WHY.get(name, "")))
    comparisons.append(Comparison(
        f"dropout 20%, {s['large']} images: test accuracy", "improves it",
        f"{100 * full_acc[0.2]:.2f}% vs {100 * full_acc[0.0]:.2f}% without",
        full_acc[0.2] > full_acc[0.0],
        "few epochs: dropout also slows early training" if quick else ""))
    figure = curves_figure(f"{TITLE} (test accuracy)", [
        ("test accuracy", {n: v["curves"].test_acc for n, v in small.items()}),
        ("train - test accuracy", {n: [a - b for a, b in zip(v["curves"].train_acc,
                                                              v["curves"].test_acc, strict=True)]
                                   for n, v in small.items()})])
    notes = [f"L2: coupled weight decay {L2}; max-norm caps every unit's incoming weight "
             f"vector (both layers); early stopping: patience {PATIENCE} on 1,000 held-out "
             "training images."]
    return ExperimentResult("regularization", TITLE, quick, numbers, comparisons,
                            {"regularization": figure}, notes)
