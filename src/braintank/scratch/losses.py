"""Loss functions: forward(prediction, target) -> float, then backward() -> dL/dprediction.

All losses sum over a sample's outputs and average over the m samples of the mini-batch,
so gradients are already divided by m.
"""

from __future__ import annotations

import numpy as np

from braintank.errors import BraintankError
from braintank.scratch.layer import buffer


def check_labels(labels: np.ndarray, n_samples: int, n_classes: int) -> np.ndarray:
    """Integer class labels of shape (n_samples,) in [0, n_classes); BraintankError otherwise."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n_samples:
        raise BraintankError(f"labels have shape {labels.shape}, expected ({n_samples},)")
    if not np.issubdtype(labels.dtype, np.integer):
        raise BraintankError(f"class labels must be integers, got {labels.dtype}")
    if n_samples and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)][0]
        raise BraintankError(f"label {bad} out of range for {n_classes} classes "
                             f"(expected 0..{n_classes - 1})")
    return labels


def _check_same_shape(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    target = np.asarray(target, dtype=pred.dtype)
    if target.shape != pred.shape:
        raise BraintankError(f"target shape {target.shape} does not match prediction "
                             f"shape {pred.shape}")
    return target


class MSELoss:
    """Mean squared error; half=True is the course's ½ convention so dL/dy = (y - t)/m.

    With half=False it is the plain MSE of seed 003 (1/m Σ (y - t)²).
    """

    def __init__(self, half: bool = True) -> None:
        self.half = half

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        target = _check_same_shape(pred, target)
        self._diff = pred - target
        self._scale = (1.0 if self.half else 2.0) / len(pred)
        return float((0.5 if self.half else 1.0) * np.sum(self._diff ** 2) / len(pred))

    def backward(self) -> np.ndarray:
        return self._diff * self._scale

    __call__ = forward


class BinaryCrossEntropy:
    """-Σ t log p + (1-t) log(1-p) on probabilities p (a sigmoid's output), clipped by eps."""

    def __init__(self, eps: float = 1e-12) -> None:
        self.eps = eps

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        target = _check_same_shape(pred, target)
        # in float32 1 - 1e-12 rounds to 1, so never clip tighter than the dtype resolves
        eps = max(self.eps, float(np.finfo(pred.dtype).eps))
        p = np.clip(pred, eps, 1 - eps)
        self._p, self._t = p, target
        loss = -(target * np.log(p) + (1 - target) * np.log1p(-p))
        return float(loss.sum() / len(pred))

    def backward(self) -> np.ndarray:
        p, t = self._p, self._t
        return (p - t) / (p * (1 - p)) / len(p)

    __call__ = forward


def _one_hot(target: np.ndarray, shape: tuple[int, int], dtype) -> np.ndarray:
    target = np.asarray(target)
    if target.ndim == 2:
        if target.shape != shape:
            raise BraintankError(f"one-hot targets have shape {target.shape}, expected {shape}")
        return target.astype(dtype, copy=False)
    labels = check_labels(target, shape[0], shape[1])
    onehot = np.zeros(shape, dtype=dtype)
    onehot[np.arange(shape[0]), labels] = 1
    return onehot


class CategoricalCrossEntropy:
    """-Σ t log p on probabilities p (a softmax's output); targets are labels or one-hot."""

    def __init__(self, eps: float = 1e-12) -> None:
        self.eps = eps

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        self._t = _one_hot(target, pred.shape, pred.dtype)
        self._p = np.clip(pred, self.eps, None)
        return float(-(self._t * np.log(self._p)).sum() / len(pred))

    def backward(self) -> np.ndarray:
        return -self._t / self._p / len(self._p)

    __call__ = forward


class SoftmaxCrossEntropy:
    """Softmax followed by cross-entropy, on logits: the fused gradient is (y - t)/m.

    Computing both together is stable (log-sum-exp) and skips the softmax Jacobian.
    """

    _probs = None

    def forward(self, logits: np.ndarray, target: np.ndarray) -> float:
        if logits.ndim != 2:
            raise BraintankError(f"logits must be (batch, classes), got shape {logits.shape}")
        m, n_classes = logits.shape
        self._probs = buffer(self._probs, logits.shape, logits.dtype)
        probs = self._probs
        np.subtract(logits, logits.max(axis=1, keepdims=True), out=probs)
        target = np.asarray(target)
        if target.ndim == 1:
            self._labels = check_labels(target, m, n_classes)
            self._onehot = None
            picked = probs[np.arange(m), self._labels]
        else:
            self._onehot = _one_hot(target, logits.shape, logits.dtype)
            picked = (probs * self._onehot).sum(axis=1)
        np.exp(probs, out=probs)
        sums = probs.sum(axis=1)
        # log softmax of the true class = shifted logit - log Σ exp(shifted logits)
        loss = float(np.log(sums).sum() - picked.sum()) / m
        probs /= sums[:, None]
        return loss

    def backward(self) -> np.ndarray:
        grad, m = self._probs, len(self._probs)
        if self._onehot is None:
            grad[np.arange(m), self._labels] -= 1
        else:
            grad -= self._onehot
        grad *= 1.0 / m
        return grad

    @property
    def probabilities(self) -> np.ndarray:
        """Softmax of the last forward's logits (valid until backward)."""
        return self._probs

    __call__ = forward


LOSSES = {"mse": MSELoss, "bce": BinaryCrossEntropy, "cce": CategoricalCrossEntropy,
          "softmax_ce": SoftmaxCrossEntropy}
