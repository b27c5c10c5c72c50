"""Per-parameter learning rates from gradient history: Adagrad, RMSprop, Adadelta."""

from __future__ import annotations

import numpy as np

from braintank.scratch.optim.base import Optimizer, check_range


class Adagrad(Optimizer):
    """G ← G + g², w ← w − η g / (√G + ε): big past gradients get small steps."""

    slots = ("sum_sq",)

    def __init__(self, lr: float = 0.01, eps: float = 1e-10, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.eps = eps

    def _update(self, p, g, state, tmp) -> None:
        acc = state["sum_sq"]
        np.multiply(g, g, out=tmp)
        acc += tmp
        np.sqrt(acc, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= self.lr
        p -= tmp


class RMSprop(Optimizer):
    """E ← αE + (1−α)g², w ← w − η g / (√E + ε): Adagrad with a forgetting average."""

    slots = ("mean_sq",)

    def __init__(self, lr: float = 0.001, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.alpha = alpha
        self.eps = eps

    def validate(self) -> None:
        super().validate()
        check_range("RMSprop", "alpha", self.alpha, 0.0, 1.0)

    def _update(self, p, g, state, tmp) -> None:
        avg = state["mean_sq"]
        avg *= self.alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.alpha
        avg += tmp
        np.sqrt(avg, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= self.lr
        p -= tmp


class Adadelta(Optimizer):
    """Zeiler's Adadelta: the step's units come from a running average of past steps.

    E[g²] ← ρE[g²] + (1−ρ)g², Δ = √(E[Δ²]+ε)/√(E[g²]+ε)·g, E[Δ²] ← ρE[Δ²] + (1−ρ)Δ²,
    w ← w − ηΔ. The course (and Zeiler) has no learning rate: that is η = 1, the default;
    PyTorch adds η as a multiplier.
    """

    slots = ("mean_sq", "mean_sq_delta")

    def __init__(self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.rho = rho
        self.eps = eps

    def validate(self) -> None:
        super().validate()
        check_range("Adadelta", "rho", self.rho, 0.0, 1.0)

    def _update(self, p, g, state, tmp) -> None:
        sq, sq_delta = state["mean_sq"], state["mean_sq_delta"]
        sq *= self.rho
        sq += (1 - self.rho) * g * g
        np.add(sq_delta, self.eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp /= np.sqrt(sq + self.eps)
        tmp *= g
        sq_delta *= self.rho
        sq_delta += (1 - self.rho) * tmp * tmp
        tmp *= self.lr
        p -= tmp
