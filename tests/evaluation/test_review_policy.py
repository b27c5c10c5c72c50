"""The review decision: ok only above the threshold with no doubt; reasons for the rest; one
policy (temperature, views, threshold) read from a model file's calibration."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.evaluation.review_policy import (
    NOT_A_DIGIT_REASON,
    OK,
    REVIEW,
    UNCALIBRATED_THRESHOLD,
    ReviewPolicy,
)


def probs(**mass) -> np.ndarray:
    p = np.full(10, 0.0)
    for digit, value in mass.items():
        p[int(digit[1:])] = value
    rest = 1 - p.sum()
    p[p == 0] = rest / (p == 0).sum()
    return p


def decide(p, confidence, threshold, doubt=""):
    return ReviewPolicy(threshold=threshold).decide(p, confidence, doubt)


def test_confident_reading_without_doubt_is_ok():
    assert decide(probs(d7=0.99), 0.98, 0.8) == (OK, "")


def test_a_shape_doubt_wins_over_any_confidence():
    assert decide(probs(d7=0.999), 0.999, 0.8, "two marks side by side") == \
        (REVIEW, "two marks side by side")


def test_below_threshold_names_the_two_digits_or_says_not_a_digit():
    status, reason = decide(probs(d4=0.6, d9=0.35), 0.55, 0.8)
    assert status == REVIEW and "4 or 9" in reason and "0.55" in reason
    status, reason = decide(probs(d4=0.3, d9=0.2), 0.3, 0.8)
    assert (status, reason) == (REVIEW, NOT_A_DIGIT_REASON)


def test_threshold_is_inclusive():
    assert decide(probs(d1=0.9), 0.8, 0.8)[0] == OK
    assert decide(probs(d1=0.9), np.nextafter(0.8, 0), 0.8)[0] == REVIEW
    policy = ReviewPolicy(threshold=0.8)
    assert policy.accepts(np.array([0.8, np.nextafter(0.8, 0)])).tolist() == [True, False]


def test_policy_comes_from_the_calibration_and_an_override_wins():
    calibration = {"temperature": 0.78, "views": 3, "threshold": 0.916}
    assert ReviewPolicy.from_calibration(calibration) == ReviewPolicy(0.78, 3, 0.916)
    assert ReviewPolicy.from_calibration(calibration, 0.5).threshold == 0.5
    assert ReviewPolicy.from_calibration({}) == ReviewPolicy(1.0, 1, UNCALIBRATED_THRESHOLD)
    assert ReviewPolicy.from_calibration(None).threshold == UNCALIBRATED_THRESHOLD


@pytest.mark.parametrize("fields, word", [
    ({"temperature": 0.0}, "temperature"), ({"temperature": float("nan")}, "temperature"),
    ({"views": 0}, "views"), ({"views": True}, "views"), ({"threshold": 1.5}, "threshold"),
    ({"threshold": -0.1}, "threshold")])
def test_a_bad_policy_is_refused_in_one_line(fields, word):
    with pytest.raises(BraintankError, match=word):
        ReviewPolicy(**fields)


def test_read_is_the_softmax_at_the_temperature_and_the_weakest_view():
    logits = np.array([[[4.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
                       [[2.0, 0.0, 0.0], [0.0, 0.0, 3.0]]])  # 2 views, 2 digits, 3 classes
    probabilities, confidence = ReviewPolicy(temperature=2.0, views=2).read(logits)
    per_view = np.exp(logits / 2) / np.exp(logits / 2).sum(-1, keepdims=True)
    assert np.allclose(probabilities, per_view.mean(0))
    first = per_view[:, 0, 0].min()
    second_digit = per_view[:, 1].mean(0).argmax()
    assert np.isclose(confidence[0], first)
    assert np.isclose(confidence[1], per_view[:, 1, second_digit].min())
    with pytest.raises(BraintankError, match="views"):
        ReviewPolicy(views=3).read(logits)


def test_scores_count_accepted_and_right_among_them():
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    scores = ReviewPolicy(threshold=0.75).scores(p, p.max(1), np.array([0, 0, 0, 1]))
    assert scores == {"n": 4, "threshold": 0.75, "accuracy": 0.75, "accepted": 0.5,
                      "accepted_accuracy": 0.5}
    none = ReviewPolicy(threshold=0.99).scores(p, p.max(1), np.array([0, 0, 0, 1]))
    assert none["accepted"] == 0.0 and none["accepted_accuracy"] is None
