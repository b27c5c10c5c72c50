"""The review decision, in one place: every score is either right or shown to a person.

A model's `ReviewPolicy` holds what its calibration fitted (`training.review_calibration`):

- `temperature`: logits are divided by it before the softmax;
- `views`: how many test-time framings of each digit are read (`data.views`); the digit is
  their consensus and its `confidence` the smallest probability any view gives it;
- `threshold`: a written digit is `ok` only when its confidence reaches it.

and the rule every path applies (`braintank predict`, the Python API, the web pages, sheets,
`eval`, the benchmarks): a mark is `ok` when nothing about its shape or its page is in doubt
and its confidence reaches the threshold; otherwise it goes to `review` with a reason a person
can act on (what was seen against it, "not a digit?" when the network spreads its belief, as
it was trained to on marks that are not digits, or the two digits it hesitates between). A
cell with no mark is `empty`.

The accuracy targets the threshold is fitted to keep live here too, beside the rule they
set. Nothing here knows about networks: only probabilities and confidences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from braintank.errors import BraintankError
from braintank.evaluation.calibration import softmax, worst_view

OK, REVIEW, EMPTY = "ok", "review", "empty"

REVIEW_TARGET_ACCURACY = 0.998  # on clean validation digits not sent to review
SHIFT_TARGET_ACCURACY = 0.995  # the client's goal for accepted scores, on shifted digits
UNCALIBRATED_THRESHOLD = 0.9  # only for model files saved without a calibration

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


@dataclass(frozen=True)
class ReviewPolicy:
    """Temperature, test-time views and threshold of one model, and the decision they make."""

    temperature: float = 1.0
    views: int = 1
    threshold: float = UNCALIBRATED_THRESHOLD

    def __post_init__(self) -> None:
        if not (isinstance(self.temperature, int | float) and math.isfinite(self.temperature)
                and self.temperature > 0):
            raise BraintankError(f"temperature must be a finite number > 0, "
                                 f"got {self.temperature!r}")
        if isinstance(self.views, bool) or not isinstance(self.views, int) or self.views < 1:
            raise BraintankError(f"views must be a whole number >= 1, got {self.views!r}")
        if not (isinstance(self.threshold, int | float) and 0 <= self.threshold <= 1):
            raise BraintankError(f"threshold must be between 0 and 1, got {self.threshold!r}")

    @classmethod
    def from_calibration(cls, calibration: dict | None,
                         threshold: float | None = None) -> ReviewPolicy:
        """The policy a model file's calibration dict describes; `threshold` overrides the
        fitted one (`--threshold`)."""
        calibration = calibration or {}
        return cls(float(calibration.get("temperature", 1.0)),
                   int(calibration.get("views", 1)),
                   float(threshold if threshold is not None
                         else calibration.get("threshold", UNCALIBRATED_THRESHOLD)))

    def read(self, view_logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities [N, C] averaged over the views, confidence [N]) from the logits
        [views, N, C] of every digit under each view."""
        logits = np.asarray(view_logits, dtype=np.float64)
        if logits.ndim != 3 or logits.shape[0] != self.views:
            raise BraintankError(f"expected logits [{self.views} views, N, classes], "
                                 f"got shape {logits.shape}")
        if logits.shape[1] == 0:
            return np.zeros(logits.shape[1:]), np.zeros(0)
        flat = softmax(logits.reshape(-1, logits.shape[-1]), self.temperature)
        return worst_view(flat.reshape(logits.shape))

    def accepts(self, confidence: np.ndarray | float) -> np.ndarray:
        """Whether readings of these confidences are `ok` on the network's side."""
        return np.asarray(confidence) >= self.threshold

    def decide(self, probabilities: np.ndarray, confidence: float,
               doubt: str = "") -> tuple[str, str]:
        """(status, reason) of one written mark; `doubt` is what the shape rules or the page
        found against it ("" when nothing)."""
        if doubt:
            return REVIEW, doubt
        if confidence >= self.threshold:
            return OK, ""
        return REVIEW, unsure_reason(np.asarray(probabilities), confidence, self.threshold)

    def scores(self, probabilities: np.ndarray, confidence: np.ndarray,
               labels: np.ndarray) -> dict:
        """How the decision fares on labelled digits: accuracy read once, share accepted and
        accuracy among the accepted (None when nothing is accepted)."""
        right = np.asarray(probabilities).argmax(axis=1) == np.asarray(labels)
        accepted = self.accepts(confidence)
        return {"n": int(len(right)), "threshold": self.threshold,
                "accuracy": float(right.mean()) if len(right) else None,
                "accepted": float(accepted.mean()) if len(right) else None,
                "accepted_accuracy": float(right[accepted].mean()) if accepted.any() else None}
