"""Metrics checked against hand-worked small cases and against independent loop/scipy versions."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from scipy import sparse, special

from braintank.errors import BraintankError
from braintank.evaluation.metrics import (
    classification_report,
    confusion_matrix,
    expected_calibration_error,
    negative_log_likelihood,
    reliability_bins,
)

# Hand case: 3 classes, 6 samples.
#   true 0 -> pred 0, 1 ; true 1 -> pred 1, 1 ; true 2 -> pred 2, 0
HAND_TRUE = np.array([0, 0, 1, 1, 2, 2])
HAND_PRED = np.array([0, 1, 1, 1, 2, 0])


def _loop_rates(y_true, y_pred, n_classes):
    """Straightforward per-sample counting, deliberately not sharing code with the module."""
    out = []
    for k in range(n_classes):
        tp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == k and p == k)
        fp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t != k and p == k)
        fn = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t == k and p != k)
        tn = len(y_true) - tp - fp - fn
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        out.append({
            "precision": prec,
            "recall": rec,
            "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            "specificity": tn / (tn + fp) if tn + fp else 0.0,
            "fpr": fp / (tn + fp) if tn + fp else 0.0,
            "fnr": fn / (tp + fn) if tp + fn else 0.0,
            "support": tp + fn,
        })
    return out


def _random_probs(rng, n, k, sharpness=3.0):
    return special.softmax(rng.normal(0, sharpness, (n, k)), axis=1)


def test_confusion_matrix_hand_case():
    cm = confusion_matrix(HAND_TRUE, HAND_PRED, n_classes=3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert cm.dtype == np.int64


def test_confusion_matrix_matches_scipy_sparse_counting():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 10, 5000)
    y_pred = rng.integers(0, 10, 5000)
    expected = sparse.coo_matrix(
        (np.ones(5000, dtype=np.int64), (y_true, y_pred)), shape=(10, 10)
    ).toarray()
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), expected)


def test_report_hand_case_rates():
    report = classification_report(HAND_TRUE, HAND_PRED, n_classes=3)
    rows = report["per_class"]
    f = Fraction
    # class 0: TP 1, FP 1 (a true 2), FN 1, TN 3
    # class 1: TP 2, FP 1 (a true 0), FN 0, TN 3
    # class 2: TP 1, FP 0, FN 1, TN 4
    expected = {
        "precision": [f(1, 2), f(2, 3), f(1, 1)],
        "recall": [f(1, 2), f(1, 1), f(1, 2)],
        "specificity": [f(3, 4), f(3, 4), f(4, 4)],
        "fpr": [f(1, 4), f(1, 4), f(0, 4)],
        "fnr": [f(1, 2), f(0, 2), f(1, 2)],
        "f1": [f(1, 2), f(4, 5), f(2, 3)],
    }
    for name, values in expected.items():
        for k, value in enumerate(values):
            assert rows[k][name] == pytest.approx(float(value)), (name, k)
        assert report["macro"][name] == pytest.approx(float(sum(values) / 3)), name
    assert [row["support"] for row in rows] == [2, 2, 2]
    assert report["accuracy"] == pytest.approx(4 / 6)
    assert report["ece"] is None and report["nll"] is None
    assert report["zero_division"] == []


def test_report_matches_independent_loops_on_random_data():
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 10, 3000)
    probs = _random_probs(rng, 3000, 10, sharpness=1.0)
    # Nudge towards the truth so rates are not all near chance.
    probs[np.arange(3000), y_true] += 0.3
    probs /= probs.sum(axis=1, keepdims=True)
    y_pred = probs.argmax(axis=1)
    report = classification_report(y_true, probs)
    for row, expected in zip(report["per_class"], _loop_rates(y_true, y_pred, 10), strict=True):
        for name, value in expected.items():
            assert row[name] == pytest.approx(value, abs=1e-12), (name, row["class"])
    assert report["accuracy"] == pytest.approx(np.mean(y_true == y_pred))
    json.dumps(report)  # must be JSON-ready (no NumPy scalars)


def test_class_never_predicted_gives_zero_precision_with_note():
    y_true = np.array([0, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1])  # class 2 never predicted, class 3 absent everywhere
    report = classification_report(y_true, y_pred, n_classes=4)
    assert report["per_class"][2]["precision"] == 0.0
    assert report["per_class"][2]["f1"] == 0.0
    assert report["per_class"][3]["recall"] == 0.0
    notes = "\n".join(report["zero_division"])
    assert "class 2: precision set to 0" in notes
    assert "class 3: recall set to 0" in notes
    assert "class 0: precision" not in notes


def test_nll_matches_scipy_log_softmax():
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 4, (1000, 10))
    labels = rng.integers(0, 10, 1000)
    expected = -np.mean(special.log_softmax(logits, axis=1)[np.arange(1000), labels])
    assert negative_log_likelihood(special.softmax(logits, axis=1), labels) == pytest.approx(
        expected, rel=1e-9
    )


def test_ece_hand_case():
    # Confidences 0.9, 0.9 (one right, one wrong) share a bin: |0.5 - 0.9| = 0.4, weight 2/3.
    # Confidence 0.6 (right) alone in its bin: |1 - 0.6| = 0.4, weight 1/3.
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6]])
    labels = np.array([0, 1, 1])
    assert expected_calibration_error(probs, labels) == pytest.approx(0.4)


def test_ece_bins_are_closed_on_the_right():
    # With 4 bins, 0.5 belongs to (0.25, 0.5] and 0.6 to (0.5, 0.75]: separate bins.
    probs = np.array([[0.5, 0.25, 0.25], [0.6, 0.4, 0.0]])
    labels = np.array([0, 1])
    bins = reliability_bins(probs, labels, n_bins=4)
    assert bins["count"].tolist() == [0, 1, 1, 0]
    assert expected_calibration_error(probs, labels, n_bins=4) == pytest.approx(
        0.5 * abs(1 - 0.5) + 0.5 * abs(0 - 0.6)
    )


def test_ece_matches_loop_over_bins():
    rng = np.random.default_rng(4)
    probs = _random_probs(rng, 2000, 10)
    labels = rng.integers(0, 10, 2000)
    conf, pred = probs.max(axis=1), probs.argmax(axis=1)
    expected = 0.0
    for b in range(15):
        lo, hi = b / 15, (b + 1) / 15
        inside = (conf > lo) & (conf <= hi)
        if inside.any():
            gap = abs(np.mean(pred[inside] == labels[inside]) - np.mean(conf[inside]))
            expected += inside.mean() * gap
    assert expected_calibration_error(probs, labels) == pytest.approx(expected, abs=1e-12)
    assert reliability_bins(probs, labels)["count"].sum() == 2000


def test_ece_of_perfectly_calibrated_data_is_near_zero():
    rng = np.random.default_rng(5)
    n = 100_000
    probs = _random_probs(rng, n, 10, sharpness=2.0)
    # Draw each label from its own predicted distribution: calibrated by construction.
    cumulative = probs.cumsum(axis=1)
    labels = np.minimum((rng.random(n)[:, None] > cumulative).sum(axis=1), 9)
    assert expected_calibration_error(probs, labels) < 0.01
    # The same predictions with a shuffled truth are badly calibrated: the check can fail.
    assert expected_calibration_error(probs, rng.permutation(labels)) > 0.2


@pytest.mark.parametrize(
    ("y_true", "pred", "message"),
    [
        ([0, 1, 2], [0, 1], "differ in length"),
        ([0, 1, 10], [0, 1, 2], "must lie in"),
        ([0, -1, 2], [0, 1, 2], "must lie in"),
        ([0.0, 1.0], [0, 1], "integer class labels"),
        ([], [], "empty"),
        ([[0, 1]], [0, 1], "1-D"),
    ],
)
def test_bad_label_inputs_raise(y_true, pred, message):
    with pytest.raises(BraintankError, match=message):
        classification_report(np.array(y_true), np.array(pred))


@pytest.mark.parametrize(
    ("probs", "message"),
    [
        (np.full((2, 10), 0.2), "sum to 1"),
        (np.full((2, 9), 1 / 9), "9 columns"),
        (np.array([[np.nan] + [0.1] * 9] * 2), "NaN"),
        (np.array([[1.5, -0.5] + [0.0] * 8] * 2), "negative"),
        (np.zeros((2, 10, 1)), "1-D predicted labels or 2-D"),
    ],
)
def test_bad_probability_inputs_raise(probs, message):
    with pytest.raises(BraintankError, match=message):
        classification_report(np.array([0, 1]), probs)


def test_bad_n_classes_and_bins_raise():
    with pytest.raises(BraintankError, match="n_classes"):
        confusion_matrix([0], [0], n_classes=0)
    with pytest.raises(BraintankError, match="n_bins"):
        expected_calibration_error(np.array([[1.0, 0.0]]), np.array([0]), n_bins=0)
