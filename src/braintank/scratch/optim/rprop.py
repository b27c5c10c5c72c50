"""Rprop (resilient propagation): each weight has its own step, driven by gradient signs only.

Same sign as last step: step ← step·η⁺; sign flip: step ← step·η⁻ and this step's
gradient counts as 0 (no move, and no flip detected next time). w ← w − sign(g)·step.
This is the iRprop⁻ variant, the one PyTorch implements. Meant for full-batch training:
course 6 warns it does not work with mini-batches.
"""

from __future__ import annotations

import numpy as np

from braintank.errors import BraintankError
from braintank.scratch.optim.base import Optimizer


class Rprop(Optimizer):
    slots = ("prev_grad", "step_size")

    def __init__(self, lr: float = 0.01, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50.0),
                 weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.etas = etas
        self.step_sizes = step_sizes

    def validate(self) -> None:
        super().validate()
        eta_minus, eta_plus = self.etas
        if not 0 < eta_minus < 1 < eta_plus:
            raise BraintankError(f"Rprop: need 0 < eta- < 1 < eta+, got etas={self.etas}")

    def _init_slot(self, name: str, param: np.ndarray) -> np.ndarray:
        if name == "step_size":
            return np.full_like(param, self.lr)
        return np.zeros_like(param)

    def _update(self, p, g, state, tmp) -> None:
        eta_minus, eta_plus = self.etas
        prev, step = state["prev_grad"], state["step_size"]
        np.multiply(g, prev, out=tmp)
        flipped = tmp < 0
        factor = np.where(tmp > 0, eta_plus, np.where(flipped, eta_minus, 1.0))
        step *= factor
        np.clip(step, self.step_sizes[0], self.step_sizes[1], out=step)
        np.copyto(prev, g)
        prev[flipped] = 0
        np.sign(prev, out=tmp)
        tmp *= step
        p -= tmp
