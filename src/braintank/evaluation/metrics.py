"""Classification metrics over NumPy arrays: confusion matrix, per-class rates, ECE, NLL.

Conventions used throughout:

* Confusion matrix rows are true classes, columns are predicted classes.
* For class k: TP = cm[k, k], FP = column sum - TP, FN = row sum - TP, TN = the rest.
  precision = TP/(TP+FP), recall = TP/(TP+FN), specificity = TN/(TN+FP),
  FPR = FP/(FP+TN), FNR = FN/(FN+TP), F1 = 2PR/(P+R).
* Zero division (for example a class that is never predicted has no precision) gives 0,
  as scikit-learn's ``zero_division=0`` does, and the report lists each such case under
  ``"zero_division"`` so a 0 caused by missing data is never mistaken for a measured 0.
  Macro averages are plain means over all classes, those zeros included.
* ECE uses equal-width confidence bins (lo, hi] over (0, 1]; confidence is the top
  probability and a prediction is its arg-max.
"""

from __future__ import annotations

import numpy as np

from braintank.errors import BraintankError

ECE_BINS = 15
# Probabilities saved as float32 drift by ~1e-6 per row; anything worse is not a distribution.
_ROW_SUM_TOL = 1e-3
# NLL of a probability of exactly 0 would be infinite; clip so one bad row stays finite.
_NLL_FLOOR = 1e-12
_RATE_NAMES = ("precision", "recall", "f1", "specificity", "fpr", "fnr")


def check_labels(labels: object, n_classes: int, name: str = "labels") -> np.ndarray:
    """Return `labels` as a 1-D int64 array, or raise BraintankError naming what is wrong."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer) or n_classes < 1:
        raise BraintankError(f"n_classes must be a positive integer, got {n_classes!r}")
    array = np.asarray(labels)
    if array.ndim != 1:
        raise BraintankError(f"{name} must be 1-D, got shape {array.shape}")
    if array.size == 0:
        raise BraintankError(f"{name} is empty: nothing to evaluate")
    if not np.issubdtype(array.dtype, np.integer):
        raise BraintankError(f"{name} must be integer class labels, got dtype {array.dtype}")
    low, high = int(array.min()), int(array.max())
    if low < 0 or high >= n_classes:
        raise BraintankError(
            f"{name} must lie in [0, {n_classes - 1}], found values from {low} to {high}"
        )
    return array.astype(np.int64, copy=False)


def check_probs(probs: object, n_classes: int | None = None, name: str = "probs") -> np.ndarray:
    """Return `probs` as a float64 [N, K] array of rows that are probability distributions."""
    array = np.asarray(probs)
    if array.ndim != 2:
        raise BraintankError(f"{name} must be 2-D [samples, classes], got shape {array.shape}")
    if array.shape[0] == 0:
        raise BraintankError(f"{name} is empty: nothing to evaluate")
    if n_classes is not None and array.shape[1] != n_classes:
        raise BraintankError(f"{name} has {array.shape[1]} columns, expected {n_classes} classes")
    if not np.issubdtype(array.dtype, np.floating):
        raise BraintankError(f"{name} must be floating point, got dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise BraintankError(f"{name} contains NaN or infinite values")
    if array.min() < 0:
        raise BraintankError(f"{name} contains negative values, so it is not probabilities")
    sums = array.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > _ROW_SUM_TOL:
        raise BraintankError(
            f"{name} rows must sum to 1 (row {worst} sums to {sums[worst]:.6g}); "
            "pass softmax probabilities, not logits"
        )
    return array


def check_same_length(first: np.ndarray, second: np.ndarray, names: str) -> None:
    if len(first) != len(second):
        raise BraintankError(f"{names} differ in length: {len(first)} vs {len(second)}")


def confusion_matrix(y_true: object, y_pred: object, n_classes: int = 10) -> np.ndarray:
    """Counts [n_classes, n_classes] int64; entry [t, p] counts true class t predicted as p."""
    truth = check_labels(y_true, n_classes, "y_true")
    pred = check_labels(y_pred, n_classes, "y_pred")
    check_same_length(truth, pred, "y_true and y_pred")
    flat = np.bincount(truth * n_classes + pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes).astype(np.int64)


def _safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """numerator/denominator with 0 where the denominator is 0, plus the mask of those places."""
    undefined = denominator == 0
    ratio = np.divide(
        numerator, denominator, out=np.zeros(len(numerator)), where=~undefined, dtype=np.float64
    )
    return ratio, undefined


def per_class_rates(cm: np.ndarray) -> tuple[dict[str, np.ndarray], list[str]]:
    """Per-class precision, recall, F1, specificity, FPR, FNR from a confusion matrix.

    Returns the rates (each an array over classes) and one note per rate set to 0 because
    its denominator was 0.
    """
    cm = np.asarray(cm, dtype=np.int64)
    tp = np.diag(cm)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    tn = cm.sum() - tp - fp - fn
    rates: dict[str, np.ndarray] = {}
    notes: list[str] = []
    reasons = {
        "precision": "class never predicted",
        "recall": "class absent from y_true",
        "f1": "precision and recall both 0",
        "specificity": "every sample belongs to this class",
        "fpr": "every sample belongs to this class",
        "fnr": "class absent from y_true",
    }
    rates["precision"], undefined_p = _safe_ratio(tp, tp + fp)
    rates["recall"], undefined_r = _safe_ratio(tp, tp + fn)
    rates["specificity"], undefined_s = _safe_ratio(tn, tn + fp)
    rates["fpr"], _ = _safe_ratio(fp, tn + fp)
    rates["fnr"], _ = _safe_ratio(fn, tp + fn)
    precision, recall = rates["precision"], rates["recall"]
    rates["f1"], undefined_f = _safe_ratio(2 * precision * recall, precision + recall)
    undefined = {
        "precision": undefined_p,
        "recall": undefined_r,
        "f1": undefined_f,
        "specificity": undefined_s,
        "fpr": undefined_s,
        "fnr": undefined_r,
    }
    for name in _RATE_NAMES:
        for k in np.flatnonzero(undefined[name]):
            notes.append(f"class {k}: {name} set to 0 ({reasons[name]})")
    return {name: rates[name] for name in _RATE_NAMES}, notes


def reliability_bins(
    probs: object, labels: object, n_bins: int = ECE_BINS
) -> dict[str, np.ndarray]:
    """Per-bin sample count, mean confidence and accuracy over equal-width bins on (0, 1].

    Empty bins have count 0 and NaN confidence/accuracy. Also returns the bin edges.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise BraintankError(f"n_bins must be a positive integer, got {n_bins!r}")
    p = check_probs(probs)
    y = check_labels(labels, p.shape[1])
    check_same_length(p, y, "probs and labels")
    confidence = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    # Right-closed bins: a confidence of exactly 1.0 lands in the last bin, 1/15 in the first.
    index = np.clip(np.ceil(confidence * n_bins).astype(np.int64) - 1, 0, n_bins - 1)
    count = np.bincount(index, minlength=n_bins)
    conf_sum = np.bincount(index, weights=confidence, minlength=n_bins)
    correct_sum = np.bincount(index, weights=correct, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = conf_sum / count
        accuracy = correct_sum / count
    return {
        "edges": np.linspace(0.0, 1.0, n_bins + 1),
        "count": count,
        "confidence": mean_conf,
        "accuracy": accuracy,
    }


def expected_calibration_error(probs: object, labels: object, n_bins: int = ECE_BINS) -> float:
    """ECE = sum over bins of (bin share) * |bin accuracy - bin mean confidence|."""
    bins = reliability_bins(probs, labels, n_bins)
    filled = bins["count"] > 0
    share = bins["count"][filled] / bins["count"].sum()
    gap = np.abs(bins["accuracy"][filled] - bins["confidence"][filled])
    return float(np.sum(share * gap))


def negative_log_likelihood(probs: object, labels: object) -> float:
    """Mean of -log p(true class); probabilities below 1e-12 are clipped to keep it finite."""
    p = check_probs(probs)
    y = check_labels(labels, p.shape[1])
    check_same_length(p, y, "probs and labels")
    picked = p[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.maximum(picked, _NLL_FLOOR))))


def _predictions_and_probs(
    probs_or_pred: object, n_classes: int
) -> tuple[np.ndarray, np.ndarray | None]:
    array = np.asarray(probs_or_pred)
    if array.ndim == 2:
        probs = check_probs(array, n_classes, "probs_or_pred")
        return probs.argmax(axis=1), probs
    if array.ndim == 1:
        return check_labels(array, n_classes, "probs_or_pred"), None
    raise BraintankError(
        "probs_or_pred must be 1-D predicted labels or 2-D [samples, classes] probabilities, "
        f"got shape {array.shape}"
    )


def classification_report(
    y_true: object, probs_or_pred: object, n_classes: int = 10, *, ece_bins: int = ECE_BINS
) -> dict:
    """Everything needed to judge a classifier, as a JSON-ready dict.

    `probs_or_pred` is either [N, n_classes] probabilities (then ECE and NLL are filled in)
    or N predicted labels (then "ece" and "nll" are None). Keys: n_samples, n_classes,
    accuracy, per_class (list of dicts: class, precision, recall, f1, specificity, fpr,
    fnr, support), macro (unweighted means of the rates), confusion_matrix (nested lists),
    ece, ece_bins, nll, zero_division (notes on rates set to 0, see module docstring).
    """
    truth = check_labels(y_true, n_classes, "y_true")
    pred, probs = _predictions_and_probs(probs_or_pred, n_classes)
    check_same_length(truth, pred, "y_true and probs_or_pred")
    cm = confusion_matrix(truth, pred, n_classes)
    rates, notes = per_class_rates(cm)
    support = cm.sum(axis=1)
    per_class = [
        {"class": k, **{name: float(rates[name][k]) for name in _RATE_NAMES},
         "support": int(support[k])}
        for k in range(n_classes)
    ]
    has_probs = probs is not None
    return {
        "n_samples": int(len(truth)),
        "n_classes": int(n_classes),
        "accuracy": float(np.trace(cm) / cm.sum()),
        "per_class": per_class,
        "macro": {name: float(np.mean(rates[name])) for name in _RATE_NAMES},
        "confusion_matrix": cm.tolist(),
        "ece": expected_calibration_error(probs, truth, ece_bins) if has_probs else None,
        "ece_bins": int(ece_bins),
        "nll": negative_log_likelihood(probs, truth) if has_probs else None,
        "zero_division": notes,
    }
