"""Calibrate the review decision: temperature, test-time views and threshold, on held-out sets.

A digit is accepted when the least confident of its test-time views (`data.views`) still
gives it at least the threshold. The temperature is fitted on held-out logits; the threshold
is the lowest at which each held-out set reaches its own accuracy target, so a single
number has to keep every promise at once:

- clean validation digits (MNIST, the writers the network learnt from): 99.8% right;
- the same digits under the writer/scanner augmentation ("shifted validation": thicker and
  thinner pens, digits stretched to fill their box, low resolution, blur, broken strokes,
  other slants and styles), standing in for people and scanners the network never saw, with
  marks that are not one digit mixed in as 2% of the set ("10", struck-out digits,
  scribbles, letters, dashes; any one accepted counts as an error): at least the client's
  99.5%.

Temperature scaling fitted on clean validation alone is over-confident on other writers;
the shifted set makes the threshold pay for that. Other callers (finetune) add their own
held-out sets, such as a client's corrected digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from braintank.data.augment import augment_batch
from braintank.data.non_digits import NOT_A_DIGIT, draw_marks
from braintank.data.views import VIEW_SCALES, view_stack
from braintank.evaluation import fit_temperature
from braintank.evaluation.calibration import choose_threshold_on
from braintank.evaluation.review_policy import (
    REVIEW_TARGET_ACCURACY,
    SHIFT_TARGET_ACCURACY,
    ReviewPolicy,
)
from braintank.training.evaluate import compute_logits

REVIEW_VIEWS = len(VIEW_SCALES)
SHIFT_AUGMENT = "writers"
SHIFT_SEED = 20261128  # fixed: every calibration of a model sees the same shifted digits
MARK_SHARE = 0.02  # non-digit marks in the shifted set, per digit (the simulator's 3% odd
# marks on sheets are of this order); their label is NOT_A_DIGIT, never a right answer


@dataclass
class HeldOut:
    """Images [N, 28, 28] in [0, 1] (ink 1) with labels, and the accuracy accepted ones need."""

    name: str
    images: np.ndarray
    labels: np.ndarray
    target: float
    fits_temperature: bool = True


def shifted(images: np.ndarray, labels: np.ndarray, seed: int = SHIFT_SEED) -> np.ndarray:
    """Every image under the writer/scanner augmentation, reproducibly."""
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))[:, None]
    out = augment_batch(x, SHIFT_AUGMENT, torch.Generator().manual_seed(seed), 0.0, 1.0,
                        labels=torch.tensor(np.asarray(labels)), ink=1.0)
    return out[:, 0].numpy()


def with_marks(images: np.ndarray, labels: np.ndarray, seed: int = SHIFT_SEED
               ) -> tuple[np.ndarray, np.ndarray]:
    """The images with MARK_SHARE as many non-digit marks appended (label NOT_A_DIGIT);
    marks made of digits take them from `images`."""
    count = int(round(MARK_SHARE * len(labels)))
    marks, _ = draw_marks(count, np.random.default_rng(seed), np.asarray(images, np.float32))
    return (np.concatenate([np.asarray(images, np.float32), marks]),
            np.concatenate([np.asarray(labels), np.full(count, NOT_A_DIGIT)]))


def validation_sets(images: np.ndarray, labels: np.ndarray,
                    target: float = REVIEW_TARGET_ACCURACY) -> list[HeldOut]:
    """The clean validation digits and their shifted copies with marks mixed in, with their
    targets."""
    return [HeldOut("validation", images, labels, target),
            HeldOut("shifted validation", *with_marks(shifted(images, labels), labels),
                    min(target, SHIFT_TARGET_ACCURACY), fits_temperature=False)]


def view_logits(network: torch.nn.Module, normalize: tuple[float, float], images: np.ndarray,
                views: int, device: torch.device | str = "cpu") -> np.ndarray:
    """Logits [views, N, 10] of every image under each test-time view."""
    mean, std = normalize
    stack = (view_stack(images, views) - mean) / std
    logits = compute_logits(network, torch.from_numpy(stack)[:, None].to(device))
    logits = logits.cpu().double().numpy()
    return logits.reshape(views, len(images), -1)


def calibrate_review(network: torch.nn.Module, normalize: tuple[float, float],
                     sets: list[HeldOut], views: int = REVIEW_VIEWS,
                     device: torch.device | str = "cpu") -> dict:
    """The calibration dict stored in a model file (temperature, views, threshold: its
    `ReviewPolicy`, and how each held-out set fares under that policy)."""
    logits = {s.name: view_logits(network, normalize, s.images, views, device) for s in sets}
    pooled = [s for s in sets if s.fits_temperature]
    if not pooled:
        raise ValueError("at least one held-out set must fit the temperature")
    temperature = float(fit_temperature(np.concatenate([logits[s.name][0] for s in pooled]),
                                        np.concatenate([s.labels for s in pooled])))
    fitted = ReviewPolicy(temperature, views, 0.0)
    readings = {s.name: fitted.read(logits[s.name]) for s in sets}
    choices = {s.name: choose_threshold_on(readings[s.name][1],
                                           readings[s.name][0].argmax(axis=1) == s.labels,
                                           s.target) for s in sets}
    deciding = max(sets, key=lambda s: choices[s.name].threshold)
    policy = ReviewPolicy(temperature, views, float(choices[deciding.name].threshold))
    report = {}
    for s in sets:
        scores = policy.scores(*readings[s.name], s.labels)
        report[s.name] = {"size": scores["n"], "target_accuracy": s.target,
                          "target_met": bool(choices[s.name].met),
                          "raw_accuracy": scores["accuracy"], "coverage": scores["accepted"],
                          "accepted_accuracy": scores["accepted_accuracy"]}
    first = report[sets[0].name]
    return {"temperature": temperature, "threshold": policy.threshold, "views": views,
            "target_accuracy": sets[0].target, "threshold_set_by": deciding.name,
            "val_coverage": first["coverage"], "val_accepted_accuracy":
                first["accepted_accuracy"], "val_size": first["size"], "sets": report}


def review_scores(network: torch.nn.Module, normalize: tuple[float, float], calibration: dict,
                  images: np.ndarray, labels: np.ndarray,
                  device: torch.device | str = "cpu") -> dict:
    """Accuracy, share accepted and accuracy among the accepted, decided by the model file's
    `ReviewPolicy` (its temperature, views and threshold)."""
    policy = ReviewPolicy.from_calibration(calibration)
    logits = view_logits(network, normalize, images, policy.views, device)
    scores = policy.scores(*policy.read(logits), labels)
    return {k: scores[k] for k in ("n", "accuracy", "accepted", "accepted_accuracy")}
