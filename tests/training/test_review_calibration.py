"""The review decision: worst-view confidence, thresholds that hold on every held-out set."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.data.non_digits import NOT_A_DIGIT
from braintank.evaluation.calibration import (
    choose_threshold,
    choose_threshold_on,
    softmax,
    worst_view,
)
from braintank.training.review_calibration import (
    MARK_SHARE,
    HeldOut,
    calibrate_review,
    shifted,
    validation_sets,
    view_logits,
)


def view_probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T) of [views, N, classes] logits, written out here so the policy's own
    `read` is checked against it, not against itself."""
    return softmax(logits.reshape(-1, logits.shape[-1]), temperature).reshape(logits.shape)


def test_worst_view_takes_the_consensus_digit_and_its_weakest_view():
    views = np.array([[[0.9, 0.1], [0.6, 0.4]],
                      [[0.7, 0.3], [0.3, 0.7]]])  # 2 views, 2 digits, 2 classes
    mean, confidence = worst_view(views)
    assert np.allclose(mean, [[0.8, 0.2], [0.45, 0.55]])
    assert np.allclose(confidence, [0.7, 0.4])  # digit 1 for the second: views give .4 and .7


def test_threshold_on_any_score_matches_the_probability_version():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(10) * 0.3, size=500)
    labels = rng.integers(0, 10, 500)
    a = choose_threshold(probs, labels, 0.6)
    b = choose_threshold_on(probs.max(1), probs.argmax(1) == labels, 0.6)
    assert a == b


@pytest.fixture(scope="module")
def validation(mnist_dir):
    from braintank.data import load_split

    images, labels = load_split("mnist", "train")
    return images[-1500:] / 255.0, labels[-1500:]


def test_shifted_digits_are_reproducible_and_differ(validation):
    images, labels = validation
    a, b = shifted(images[:50], labels[:50]), shifted(images[:50], labels[:50])
    assert np.array_equal(a, b) and a.shape == (50, 28, 28)
    assert a.min() >= 0 and a.max() <= 1 and not np.allclose(a, images[:50])


def test_the_shifted_set_mixes_in_marks_that_are_never_right(tiny_model, validation):
    """2% non-digit marks ride with the shifted digits: an accepted mark counts as an error,
    so a threshold that lets marks through cannot meet the shifted set's target."""
    from braintank import modelfile

    images, labels = validation
    clean, shifted_set = validation_sets(images[:1000], labels[:1000])
    marks = shifted_set.labels == NOT_A_DIGIT
    assert marks.sum() == round(MARK_SHARE * 1000) and len(clean.labels) == 1000
    assert np.array_equal(shifted_set.labels[~marks], labels[:1000])
    assert (shifted_set.images[marks].max(axis=(1, 2)) > 0.5).all()
    saved = modelfile.load(tiny_model)
    calibration = calibrate_review(saved.network, saved.normalize, [clean, shifted_set], views=1)
    logits = view_logits(saved.network, saved.normalize, shifted_set.images[marks], 1)
    _, confidence = worst_view(view_probabilities(logits, calibration["temperature"]))
    accepted_marks = int((confidence >= calibration["threshold"]).sum())
    fared = calibration["sets"]["shifted validation"]
    accepted = round(fared["coverage"] * len(shifted_set.labels))
    assert accepted_marks <= (1 - fared["accepted_accuracy"]) * accepted + 1e-9


def test_threshold_keeps_every_sets_promise(tiny_model, validation):
    from braintank import modelfile

    saved = modelfile.load(tiny_model)
    images, labels = validation
    sets = [HeldOut("clean", images[:1000], labels[:1000], 0.99),
            HeldOut("shifted", shifted(images[:1000], labels[:1000]), labels[:1000], 0.97,
                    fits_temperature=False)]
    calibration = calibrate_review(saved.network, saved.normalize, sets, views=3)
    assert calibration["views"] == 3 and calibration["temperature"] > 0
    for name, target in (("clean", 0.99), ("shifted", 0.97)):
        fared = calibration["sets"][name]
        assert fared["accepted_accuracy"] is None or fared["accepted_accuracy"] >= target
    own = {}
    for s in sets:  # each set's own lowest threshold, at the calibration's temperature
        logits = view_logits(saved.network, saved.normalize, s.images, 3)
        mean, confidence = worst_view(view_probabilities(logits, calibration["temperature"]))
        own[s.name] = choose_threshold_on(confidence, mean.argmax(1) == s.labels,
                                          s.target).threshold
    assert calibration["threshold"] == max(own.values())
    assert own[calibration["threshold_set_by"]] == calibration["threshold"]
    with pytest.raises(ValueError, match="temperature"):
        calibrate_review(saved.network, saved.normalize, sets[1:], views=3)


def test_classifier_decides_with_the_calibrated_views(tiny_model, validation, tmp_path):
    from braintank import modelfile
    from braintank.inference.classifier import DigitClassifier

    saved = modelfile.load(tiny_model)
    images, labels = validation
    calibration = calibrate_review(saved.network, saved.normalize,
                                   [HeldOut("clean", images, labels, 0.99)], views=3)
    path = tmp_path / "views.pt"
    modelfile.save(path, {**{k: v for k, v in saved.payload.items()
                             if k not in ("format", "version")}, "calibration": calibration})
    clf = DigitClassifier.load(path)
    assert clf.policy.views == 3
    probs, confidence = clf.read_batch28(images[:200])
    assert np.allclose(probs.sum(1), 1) and (confidence <= probs.max(1) + 1e-12).all()
    one = tmp_path / "one-view.pt"
    modelfile.save(one, {**{k: v for k, v in saved.payload.items()
                            if k not in ("format", "version")},
                         "calibration": {k: v for k, v in calibration.items() if k != "views"}})
    single = DigitClassifier.load(one)  # files calibrated before views read with one
    assert single.policy.views == 1
    p1, c1 = single.read_batch28(images[:200])
    assert np.allclose(c1, p1.max(1))
    bad = tmp_path / "bad.pt"
    modelfile.save(bad, {**{k: v for k, v in saved.payload.items()
                            if k not in ("format", "version")},
                         "calibration": {**calibration, "views": 7}})
    from braintank.errors import BraintankError

    with pytest.raises(BraintankError, match="views"):
        DigitClassifier.load(bad)
