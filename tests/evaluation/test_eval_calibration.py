"""Temperature scaling and the review threshold, on synthetic data with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, special

from braintank.errors import BraintankError
from braintank.evaluation.calibration import (
    choose_threshold,
    coverage_curve,
    fit_temperature,
    softmax,
    temperature_nll,
)


def _sample_labels(rng, probs):
    above = rng.random(len(probs))[:, None] > probs.cumsum(axis=1)
    return np.minimum(above.sum(axis=1), probs.shape[1] - 1)


def _synthetic(seed, t_true, n=20_000, k=10, scale=4.0):
    """Logits z and labels drawn from softmax(z / t_true): t_true is the NLL-optimal T."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, scale, (n, k))
    return logits, _sample_labels(rng, special.softmax(logits / t_true, axis=1))


def test_softmax_matches_scipy_and_is_stable():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 5, (50, 10))
    np.testing.assert_allclose(softmax(logits, 2.5), special.softmax(logits / 2.5, axis=1),
                               rtol=1e-12)
    huge = np.array([[1000.0, 1001.0, -1000.0]])
    out = softmax(huge)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, special.softmax(huge, axis=1), rtol=1e-12)


@pytest.mark.parametrize("t_true", [0.5, 1.0, 2.0, 3.0])
def test_fit_temperature_recovers_known_temperature(t_true):
    logits, labels = _synthetic(seed=int(10 * t_true), t_true=t_true)
    fitted = fit_temperature(logits, labels)
    assert fitted == pytest.approx(t_true, rel=0.04)


def test_fit_temperature_matches_scipy_bounded_search():
    logits, labels = _synthetic(seed=7, t_true=1.7, n=5000)
    result = optimize.minimize_scalar(
        lambda log_t: temperature_nll(logits, labels, math.exp(log_t)),
        bounds=(math.log(0.01), math.log(100.0)), method="bounded",
        options={"xatol": 1e-9},
    )
    assert fit_temperature(logits, labels) == pytest.approx(math.exp(result.x), rel=1e-4)


@pytest.mark.parametrize("seed", range(5))
def test_fit_temperature_never_increases_nll_and_is_deterministic(seed):
    rng = np.random.default_rng(seed)
    # Mixed cases: over-confident, under-confident, and logits with a large shared offset.
    logits = rng.normal(0, rng.uniform(0.5, 8), (2000, 10)) + rng.uniform(-500, 500)
    labels = _sample_labels(rng, special.softmax(logits / rng.uniform(0.3, 3), axis=1))
    fitted = fit_temperature(logits, labels)
    assert temperature_nll(logits, labels, fitted) <= temperature_nll(logits, labels, 1.0) + 1e-12
    assert fit_temperature(logits, labels) == fitted


def test_fit_temperature_hits_lower_bound_when_sharper_is_always_better():
    logits = np.array([[3.0, 0.0], [0.0, 2.0]])
    labels = np.array([0, 1])  # all correct: NLL keeps falling as T -> 0
    assert fit_temperature(logits, labels, t_min=0.05) == pytest.approx(0.05)


def test_fit_temperature_and_softmax_reject_bad_input():
    with pytest.raises(BraintankError, match="temperature"):
        softmax(np.zeros((2, 3)), temperature=0.0)
    with pytest.raises(BraintankError, match="NaN"):
        fit_temperature(np.array([[np.nan, 0.0]]), np.array([0]))
    with pytest.raises(BraintankError, match="differ in length"):
        fit_temperature(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(BraintankError, match="t_min must be below"):
        fit_temperature(np.zeros((2, 2)), np.array([0, 1]), t_min=2.0, t_max=1.0)
    with pytest.raises(BraintankError, match="floating"):
        fit_temperature(np.zeros((2, 2), dtype=np.int64), np.array([0, 1]))


def _brute_force_curve(probs, labels):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    points = []
    for t in sorted(set(conf.tolist()), reverse=True):
        accepted = conf >= t
        points.append((t, accepted.mean(), correct[accepted].mean()))
    return points


def _overconfident(seed, n=3000):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 4, (n, 10))
    labels = _sample_labels(rng, special.softmax(logits / 0.7, axis=1))
    # Round so many confidences tie, exercising tie handling.
    probs = np.round(special.softmax(logits, axis=1), 2)
    return probs / probs.sum(axis=1, keepdims=True), labels


def test_coverage_curve_matches_brute_force():
    probs, labels = _overconfident(seed=11, n=800)
    curve = coverage_curve(probs, labels)
    expected = np.array(_brute_force_curve(probs, labels))
    np.testing.assert_allclose(curve.thresholds, expected[:, 0])
    np.testing.assert_allclose(curve.coverage, expected[:, 1])
    np.testing.assert_allclose(curve.accuracy, expected[:, 2])


@pytest.mark.parametrize("target", [0.9, 0.97, 0.995])
def test_choose_threshold_meets_target_with_most_coverage(target):
    probs, labels = _overconfident(seed=12)
    choice = choose_threshold(probs, labels, target)
    assert choice.met
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    accepted = conf >= choice.threshold
    assert correct[accepted].mean() >= target
    assert choice.accepted_accuracy == pytest.approx(correct[accepted].mean())
    assert choice.coverage == pytest.approx(accepted.mean())
    assert choice.rejected_share == pytest.approx(1 - accepted.mean())
    assert choice.n_accepted == accepted.sum()
    # No lower threshold meets the target (that is what "smallest" means).
    for t, _, accuracy in _brute_force_curve(probs, labels):
        if t < choice.threshold:
            assert accuracy < target


def test_choose_threshold_reports_unreachable_target():
    probs = np.array([[0.9, 0.1], [0.8, 0.2]])
    labels = np.array([1, 1])  # every prediction wrong
    choice = choose_threshold(probs, labels, 0.995)
    assert not choice.met
    assert choice.coverage == 0.0 and choice.n_accepted == 0
    assert choice.threshold > 0.9
    assert choice.to_dict()["accepted_accuracy"] is None


def test_choose_threshold_rejects_bad_target():
    with pytest.raises(BraintankError, match="target_accuracy"):
        choose_threshold(np.array([[1.0, 0.0]]), np.array([0]), 1.5)
