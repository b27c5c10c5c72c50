"""Confidence calibration: temperature scaling and the human-review confidence threshold.

Temperature scaling divides logits by one scalar T > 0 fitted on the validation split by
minimising negative log-likelihood. NLL is convex in beta = 1/T (a log-sum-exp of
functions linear in beta minus a linear term), so its derivative in beta is monotone and
a safeguarded Newton/bisection search finds the minimum deterministically. Arg-max
predictions, hence accuracy, do not change with T.

The review threshold is the smallest confidence t such that predictions with confidence
>= t reach a target accuracy on the validation split; everything below t goes to a person.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

from braintank.errors import BraintankError
from braintank.evaluation.metrics import check_labels, check_probs, check_same_length

T_MIN = 0.01
T_MAX = 100.0
_MAX_ITERATIONS = 200
_BETA_RTOL = 1e-12


def _check_logits(logits: object) -> np.ndarray:
    array = np.asarray(logits)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise BraintankError(f"logits must be a non-empty 2-D [samples, classes] array, "
                             f"got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.floating):
        raise BraintankError(f"logits must be floating point, got dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise BraintankError("logits contain NaN or infinite values")
    return array


def _check_temperature(temperature: float) -> float:
    value = float(temperature)
    if not (math.isfinite(value) and value > 0):
        raise BraintankError(f"temperature must be a finite number > 0, got {temperature!r}")
    return value


def log_softmax(logits: object, temperature: float = 1.0) -> np.ndarray:
    """log softmax(logits / temperature) along the last axis, in float64, without overflow."""
    scaled = _check_logits(logits) / _check_temperature(temperature)
    shifted = scaled - scaled.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(logits: object, temperature: float = 1.0) -> np.ndarray:
    """softmax(logits / temperature) per row, float64; stable for logits of any magnitude."""
    return np.exp(log_softmax(logits, temperature))


def temperature_nll(logits: object, labels: object, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of `labels` under softmax(logits / temperature)."""
    log_p = log_softmax(logits, temperature)
    y = check_labels(labels, log_p.shape[1])
    check_same_length(log_p, y, "logits and labels")
    return float(-np.mean(log_p[np.arange(len(y)), y]))


def _nll_slope_and_curvature(z: np.ndarray, z_true: np.ndarray, beta: float) -> tuple[float, float]:
    """First and second derivative of NLL(beta) = mean(logsumexp(beta z) - beta z_true)."""
    scaled = beta * z
    p = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    mean_z = np.sum(p * z, axis=1)
    var_z = np.sum(p * (z - mean_z[:, None]) ** 2, axis=1)
    return float(np.mean(mean_z - z_true)), float(np.mean(var_z))


def fit_temperature(
    logits: object, labels: object, *, t_min: float = T_MIN, t_max: float = T_MAX
) -> float:
    """Temperature in [t_min, t_max] minimising validation NLL of softmax(logits / T).

    Deterministic. Returns a bound when the minimum lies beyond it (for example t_min when
    every validation sample is already correct with a margin, so sharper is always better).
    Never returns a T whose NLL is above the NLL at T = 1 (when 1 is within the bounds).
    """
    z = _check_logits(logits)
    y = check_labels(labels, z.shape[1])
    check_same_length(z, y, "logits and labels")
    t_min, t_max = _check_temperature(t_min), _check_temperature(t_max)
    if t_min >= t_max:
        raise BraintankError(f"t_min must be below t_max, got {t_min} and {t_max}")
    # Centring rows changes no softmax but keeps beta * z small when logits share an offset.
    z = z - z.mean(axis=1, keepdims=True)
    z_true = z[np.arange(len(y)), y]
    beta = _minimise_convex_in_beta(z, z_true, 1.0 / t_max, 1.0 / t_min)
    fitted = float(np.clip(1.0 / beta, t_min, t_max))
    if t_min <= 1.0 <= t_max and temperature_nll(z, y, fitted) > temperature_nll(z, y, 1.0):
        return 1.0
    return fitted


def _minimise_convex_in_beta(z: np.ndarray, z_true: np.ndarray, lo: float, hi: float) -> float:
    """Root of the monotone slope on [lo, hi] by Newton steps kept inside a bisection bracket."""
    slope_lo, _ = _nll_slope_and_curvature(z, z_true, lo)
    if slope_lo >= 0:
        return lo
    slope_hi, _ = _nll_slope_and_curvature(z, z_true, hi)
    if slope_hi <= 0:
        return hi
    beta = float(np.clip(1.0, lo, hi))
    for _ in range(_MAX_ITERATIONS):
        slope, curvature = _nll_slope_and_curvature(z, z_true, beta)
        if slope == 0:
            return beta
        if slope < 0:
            lo = beta
        else:
            hi = beta
        step_ok = curvature > 0 and lo < beta - slope / curvature < hi
        new_beta = beta - slope / curvature if step_ok else 0.5 * (lo + hi)
        if abs(new_beta - beta) <= _BETA_RTOL * beta or hi - lo <= _BETA_RTOL * hi:
            return new_beta
        beta = new_beta
    return beta


@dataclass(frozen=True)
class ThresholdChoice:
    """Where to cut confidence for human review, measured on the data it was chosen on.

    threshold: accept a prediction when its top probability is >= this.
    coverage: share of samples accepted; rejected_share = 1 - coverage.
    accepted_accuracy: accuracy on the accepted samples (NaN when none are accepted).
    met: whether the target was reached; when it cannot be, nothing is accepted and the
    threshold sits just above the highest confidence seen.
    """

    threshold: float
    target_accuracy: float
    coverage: float
    accepted_accuracy: float
    rejected_share: float
    n_accepted: int
    n_total: int
    met: bool

    def to_dict(self) -> dict:
        """Fields as a JSON-ready dict (NaN becomes None)."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in asdict(self).items()}


class CoverageCurve(NamedTuple):
    """Accuracy/coverage trade-off, one point per distinct confidence, thresholds descending."""

    thresholds: np.ndarray
    coverage: np.ndarray
    accuracy: np.ndarray


def coverage_curve(probs: object, labels: object) -> CoverageCurve:
    """For each distinct confidence t: share of samples with confidence >= t and their accuracy.

    Ties in confidence are accepted or rejected together, so each point is reachable by an
    actual threshold. Coverage increases and thresholds decrease along the arrays.
    """
    p = check_probs(probs)
    y = check_labels(labels, p.shape[1])
    check_same_length(p, y, "probs and labels")
    return _curve(p.max(axis=1), p.argmax(axis=1) == y)


def coverage_curve_on(confidence: object, correct: object) -> CoverageCurve:
    """`coverage_curve` for any confidence score [N] (such as the weakest view's) and whether
    each reading is right [N]."""
    conf = np.asarray(confidence, dtype=np.float64).ravel()
    right = np.asarray(correct, dtype=bool).ravel()
    if conf.size == 0 or conf.size != right.size:
        raise BraintankError(f"need as many confidences as correctness flags (and at least "
                             f"one), got {conf.size} and {right.size}")
    return _curve(conf, right)


def _curve(confidence: np.ndarray, correct: np.ndarray) -> CoverageCurve:
    order = np.argsort(-confidence, kind="stable")
    sorted_conf = confidence[order]
    correct_so_far = np.cumsum(correct[order])
    # Last position of each run of equal confidences: where a threshold can cut.
    ends = np.flatnonzero(np.append(sorted_conf[1:] != sorted_conf[:-1], True))
    n_accepted = ends + 1
    return CoverageCurve(
        thresholds=sorted_conf[ends],
        coverage=n_accepted / len(correct),
        accuracy=correct_so_far[ends] / n_accepted,
    )


def worst_view(view_probs: object) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities averaged over views [N, C], confidence [N]) from [V, N, C] probabilities.

    The digit is the one the views agree on most (the mean's argmax); its confidence is the
    smallest probability any single view gives it, so a reading that holds for one framing
    only is not trusted.
    """
    p = np.asarray(view_probs, dtype=np.float64)
    if p.ndim != 3 or p.shape[0] < 1:
        raise BraintankError(f"view probabilities must be [views, N, classes], got {p.shape}")
    mean = p.mean(axis=0)
    digit = mean.argmax(axis=1)
    return mean, p[:, np.arange(p.shape[1]), digit].min(axis=0)


def choose_threshold(
    probs: object, labels: object, target_accuracy: float = 0.995
) -> ThresholdChoice:
    """Smallest confidence threshold whose accepted predictions reach `target_accuracy`.

    Smallest threshold means largest coverage: among all cut points meeting the target, the
    one sending the fewest samples to review. Accuracy need not be monotone in the
    threshold, so a higher threshold than the chosen one may miss the target.
    """
    p = check_probs(probs)
    y = check_labels(labels, p.shape[1])
    check_same_length(p, y, "probs and labels")
    return choose_threshold_on(p.max(axis=1), p.argmax(axis=1) == y, target_accuracy)


def choose_threshold_on(confidence: object, correct: object,
                        target_accuracy: float = 0.995) -> ThresholdChoice:
    """`choose_threshold` for any confidence score [N] and whether each reading is right [N]."""
    target = float(target_accuracy)
    if not (0.0 < target <= 1.0):
        raise BraintankError(f"target_accuracy must be in (0, 1], got {target_accuracy!r}")
    conf = np.asarray(confidence, dtype=np.float64).ravel()
    right = np.asarray(correct, dtype=bool).ravel()
    if conf.size == 0 or conf.size != right.size:
        raise BraintankError(f"need as many confidences as correctness flags (and at least "
                             f"one), got {conf.size} and {right.size}")
    curve = _curve(conf, right)
    n_total = conf.size
    meeting = np.flatnonzero(curve.accuracy >= target)
    if len(meeting) == 0:
        above_all = float(np.nextafter(curve.thresholds[0], np.inf))
        return ThresholdChoice(above_all, target, 0.0, float("nan"), 1.0, 0, n_total, False)
    best = int(meeting[-1])
    coverage = float(curve.coverage[best])
    return ThresholdChoice(
        threshold=float(curve.thresholds[best]),
        target_accuracy=target,
        coverage=coverage,
        accepted_accuracy=float(curve.accuracy[best]),
        rejected_share=1.0 - coverage,
        n_accepted=int(round(coverage * n_total)),
        n_total=n_total,
        met=True,
    )
