"""Plain SGD, momentum and Nesterov accelerated gradient, in the course's velocity form.

Course form: v ← μv − ηg, w ← w + v. PyTorch keeps buf ← μ·buf + g and w ← w − η·buf;
with v = −η·buf the trajectories are identical while η is constant (they differ after a
learning-rate change: here old velocity keeps its old η).
"""

from __future__ import annotations

import numpy as np

from braintank.scratch.optim.base import Optimizer, check_range


class SGD(Optimizer):
    """w ← w − η g."""

    def _update(self, p, g, state, tmp) -> None:
        np.multiply(g, self.lr, out=tmp)
        p -= tmp


class Momentum(Optimizer):
    """Velocity accumulates past gradients: v ← μv − ηg, w ← w + v."""

    slots = ("velocity",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9,
                 weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.momentum = momentum

    def validate(self) -> None:
        super().validate()
        check_range(type(self).__name__, "momentum", self.momentum, 0.0, 1.0)

    def _update(self, p, g, state, tmp) -> None:
        v = state["velocity"]
        v *= self.momentum
        np.multiply(g, self.lr, out=tmp)
        v -= tmp
        p += v


class Nesterov(Momentum):
    """Look-ahead momentum: v ← μv − η∇L(w + μv), w ← w + v.

    The gradient at the look-ahead point is what backprop computes when the stored weights
    *are* the look-ahead point w' = w + μv (Bengio et al. 2012); then the update becomes
    v ← μv − ηg, w' ← w' + μv − ηg, which is PyTorch's nesterov=True.
    """

    def _update(self, p, g, state, tmp) -> None:
        v = state["velocity"]
        v *= self.momentum
        np.multiply(g, self.lr, out=tmp)
        v -= tmp
        p -= tmp
        np.multiply(v, self.momentum, out=tmp)
        p += tmp
