"""Loss values and gradients against finite differences and torch; the fused softmax + CE."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from braintank.errors import BraintankError
from braintank.scratch import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    MSELoss,
    SoftmaxCrossEntropy,
)


def check_against_finite_differences(numeric_grad, loss, pred, target):
    expected = numeric_grad(lambda: loss.forward(pred, target), pred)
    loss.forward(pred, target)
    np.testing.assert_allclose(loss.backward(), expected, rtol=1e-6, atol=1e-8)


def check_against_torch(loss, pred, target, torch_loss):
    tp = torch.tensor(pred, requires_grad=True)
    value = torch_loss(tp)
    value.backward()
    assert loss.forward(pred, target) == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), tp.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("half", [True, False])
def test_mse(half, numeric_grad):
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    check_against_finite_differences(numeric_grad, MSELoss(half), pred, target)
    scale = 0.5 if half else 1.0
    check_against_torch(MSELoss(half), pred, target,
                        lambda p: scale * F.mse_loss(p, torch.tensor(target),
                                                     reduction="sum") / 5)


def test_mse_half_convention_gradient_is_prediction_minus_target_over_m():
    pred, target = np.array([[4.0], [3.0]]), np.array([[3.0], [5.0]])
    loss = MSELoss(half=True)
    assert loss.forward(pred, target) == pytest.approx(0.5 * (1 + 4) / 2)
    np.testing.assert_allclose(loss.backward(), (pred - target) / 2)


def test_binary_cross_entropy(numeric_grad):
    rng = np.random.default_rng(1)
    pred = rng.uniform(0.05, 0.95, (6, 2))
    target = rng.integers(0, 2, (6, 2)).astype(np.float64)
    check_against_finite_differences(numeric_grad, BinaryCrossEntropy(), pred, target)
    check_against_torch(BinaryCrossEntropy(), pred, target,
                        lambda p: F.binary_cross_entropy(p, torch.tensor(target),
                                                         reduction="sum") / 6)


def test_categorical_cross_entropy_on_probabilities(numeric_grad):
    rng = np.random.default_rng(2)
    pred = rng.uniform(0.05, 1.0, (4, 5))
    pred /= pred.sum(axis=1, keepdims=True)
    labels = rng.integers(0, 5, 4)
    check_against_finite_differences(numeric_grad, CategoricalCrossEntropy(), pred, labels)
    check_against_torch(CategoricalCrossEntropy(), pred, labels,
                        lambda p: F.nll_loss(torch.log(p), torch.tensor(labels)))


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_cross_entropy_fused(one_hot, numeric_grad):
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((7, 10)) * 3
    labels = rng.integers(0, 10, 7)
    target = np.eye(10)[labels] if one_hot else labels
    check_against_finite_differences(numeric_grad, SoftmaxCrossEntropy(), logits, target)
    check_against_torch(SoftmaxCrossEntropy(), logits, target,
                        lambda z: F.cross_entropy(z, torch.tensor(labels)))


def test_fused_gradient_is_prediction_minus_target():
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((3, 4))
    labels = np.array([0, 3, 1])
    loss = SoftmaxCrossEntropy()
    loss.forward(logits, labels)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.backward() * 3, probs - np.eye(4)[labels], atol=1e-12)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    loss = SoftmaxCrossEntropy()
    value = loss.forward(np.array([[1000.0, 0.0], [0.0, -1000.0]]), np.array([0, 1]))
    assert np.isfinite(value) and value == pytest.approx(500.0)


@pytest.mark.parametrize("labels", [np.array([0, 10]), np.array([-1, 2])])
def test_labels_out_of_range_are_rejected(labels):
    with pytest.raises(BraintankError, match="out of range for 10 classes"):
        SoftmaxCrossEntropy().forward(np.zeros((2, 10)), labels)


def test_label_count_mismatch_is_rejected():
    with pytest.raises(BraintankError, match="labels have shape"):
        SoftmaxCrossEntropy().forward(np.zeros((3, 10)), np.array([1, 2]))


def test_target_shape_mismatch_is_rejected():
    with pytest.raises(BraintankError, match="does not match prediction shape"):
        MSELoss().forward(np.zeros((3, 2)), np.zeros((3, 1)))


def test_binary_cross_entropy_stays_finite_for_saturated_float32():
    pred = np.array([[1.0], [0.0]], dtype=np.float32)
    loss = BinaryCrossEntropy()
    assert np.isfinite(loss.forward(pred, np.array([[0.0], [1.0]], dtype=np.float32)))
    assert np.isfinite(loss.backward()).all()
