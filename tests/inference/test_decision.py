"""The review decision: ok only above the threshold with no doubt; reasons for the rest."""

from __future__ import annotations

import numpy as np

from braintank.inference.decision import NOT_A_DIGIT_REASON, OK, REVIEW, decide


def probs(**mass) -> np.ndarray:
    p = np.full(10, 0.0)
    for digit, value in mass.items():
        p[int(digit[1:])] = value
    rest = 1 - p.sum()
    p[p == 0] = rest / (p == 0).sum()
    return p


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
