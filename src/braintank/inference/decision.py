"""The review decision: a reading is `ok`, goes to a person (`review`) with a reason, or is
`empty`.

A digit is `ok` only when its mark passed the shape rules (`inference.marks`) and the
network's confidence (the weakest test-time view's probability of the digit) reaches the
model's calibrated threshold. Every other mark goes to review, with a reason a person can
act on: what the shape rules saw, "not a digit?" when the network spreads its belief (as it
was trained to on marks that are not digits), or the two digits it hesitates between.
"""

from __future__ import annotations

import numpy as np

OK, REVIEW, EMPTY = "ok", "review", "empty"
# When the two likeliest digits together hold less than this, the network sees no digit:
# trained on non-digit marks towards all ten alike, it spreads its belief over many.
NOT_A_DIGIT_MASS = 0.7
NOT_A_DIGIT_REASON = "not a digit?"


def unsure_reason(probabilities: np.ndarray, confidence: float, threshold: float) -> str:
    """Why a reading below the threshold is not trusted, in words for the reviewer."""
    order = np.argsort(probabilities)[::-1]
    first, second = int(order[0]), int(order[1])
    if probabilities[first] + probabilities[second] < NOT_A_DIGIT_MASS:
        return NOT_A_DIGIT_REASON
    return (f"unsure: {first} or {second}? (confidence {confidence:.2f}, "
            f"needs {threshold:.2f})")


def decide(probabilities: np.ndarray, confidence: float, threshold: float,
           doubt: str = "") -> tuple[str, str]:
    """(status, reason) of one written mark: `doubt` is what the shape rules or the page
    found against it ("" when nothing)."""
    if doubt:
        return REVIEW, doubt
    if confidence >= threshold:
        return OK, ""
    return REVIEW, unsure_reason(np.asarray(probabilities), confidence, threshold)
