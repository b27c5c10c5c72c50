"""Adam and Nadam: momentum (first moment) plus RMSprop (second moment), bias-corrected."""

from __future__ import annotations

import math

import numpy as np

from braintank.errors import BraintankError
from braintank.scratch.optim.base import Optimizer


class Adam(Optimizer):
    """m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − η m̂ / (√v̂ + ε).

    With m̂ = m/(1−β₁ᵗ) and v̂ = v/(1−β₂ᵗ); ε is added after dividing √v by √(1−β₂ᵗ),
    as PyTorch does.
    """

    slots = ("m", "v")

    def __init__(self, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.betas = betas
        self.eps = eps

    def validate(self) -> None:
        super().validate()
        if not all(0.0 <= b < 1.0 for b in self.betas):
            raise BraintankError(f"{type(self).__name__}: betas must be in [0, 1), "
                                 f"got {self.betas}")

    def _moments(self, g, state, tmp) -> tuple[np.ndarray, np.ndarray]:
        beta1, beta2 = self.betas
        m, v = state["m"], state["v"]
        m *= beta1
        np.multiply(g, 1 - beta1, out=tmp)
        m += tmp
        v *= beta2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - beta2
        v += tmp
        return m, v

    def _denominator(self, v, tmp) -> np.ndarray:
        np.sqrt(v, out=tmp)
        tmp *= 1.0 / math.sqrt(1 - self.betas[1] ** self.t_)
        tmp += self.eps
        return tmp

    def _update(self, p, g, state, tmp) -> None:
        m, v = self._moments(g, state, tmp)
        # η m̂/(√v̂ + ε) = η√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε√(1−β₂ᵗ)): one pass fewer;
        # math.sqrt keeps the scalars Python floats, so float32 arrays stay float32 loops
        root_bias2 = math.sqrt(1 - self.betas[1] ** self.t_)
        np.sqrt(v, out=tmp)
        tmp += self.eps * root_bias2
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr * root_bias2 / (1 - self.betas[0] ** self.t_)
        p -= tmp


class Nadam(Adam):
    """Adam with a Nesterov look-ahead on the first moment.

    momentum_decay=None (default) is the course's formula (Dozat 2016 as in Ruder's
    overview): w ← w − η/(√v̂+ε)·(β₁m̂ + (1−β₁)g/(1−β₁ᵗ)).
    momentum_decay=ψ (PyTorch's NAdam uses ψ = 0.004) schedules the momentum as
    μₜ = β₁(1 − ½·0.96^(tψ)) and uses the product of all μ's for the bias correction,
    exactly as torch.optim.NAdam.
    """

    def __init__(self, lr: float = 0.002, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum_decay: float | None = None) -> None:
        super().__init__(lr, betas, eps, weight_decay)
        self.momentum_decay = momentum_decay
        self._mu_product = 1.0

    def _init_state(self, params) -> None:
        super()._init_state(params)
        self._mu_product = 1.0

    def _begin_step(self) -> None:
        if self.momentum_decay is None:
            return
        beta1, psi = self.betas[0], self.momentum_decay
        self._mu = beta1 * (1 - 0.5 * 0.96 ** (self.t_ * psi))
        self._mu_next = beta1 * (1 - 0.5 * 0.96 ** ((self.t_ + 1) * psi))
        self._mu_product *= self._mu

    def _scalars(self) -> dict[str, float]:
        return {"mu_product": self._mu_product}

    def _load_scalars(self, scalars: dict[str, float]) -> None:
        self._mu_product = scalars.get("mu_product", 1.0)

    def _update(self, p, g, state, tmp) -> None:
        m, v = self._moments(g, state, tmp)
        denom = self._denominator(v, tmp)
        if self.momentum_decay is None:
            beta1, bias1 = self.betas[0], 1 - self.betas[0] ** self.t_
            grad_coef, m_coef = (1 - beta1) / bias1, beta1 / bias1
        else:
            grad_coef = (1 - self._mu) / (1 - self._mu_product)
            m_coef = self._mu_next / (1 - self._mu_product * self._mu_next)
        step = (grad_coef * g + m_coef * m) / denom
        step *= self.lr
        p -= step
