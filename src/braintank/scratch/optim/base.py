"""Optimizer base: per-parameter state arrays (what course 6 draws beside each layer).

An optimizer stores its hyper-parameters in the constructor (scikit-learn style); its
learned state (`state_`, `t_`) is created on the first step, sized like the parameters.
Weight decay is the coupled L2 penalty of PyTorch: the gradient becomes g + λw.
"""

from __future__ import annotations

import math

import numpy as np

from braintank.errors import BraintankError


class Optimizer:
    """Subclasses name their per-parameter arrays in `slots` and implement `_update`."""

    slots: tuple[str, ...] = ()

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        self.lr = lr
        self.weight_decay = weight_decay
        self.state_: list[dict[str, np.ndarray]] | None = None
        self.t_ = 0

    def validate(self) -> None:
        """BraintankError naming the first invalid hyper-parameter."""
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise BraintankError(f"{type(self).__name__}: learning rate must be > 0 and finite, "
                                 f"got {self.lr}")
        if not (self.weight_decay >= 0 and math.isfinite(self.weight_decay)):
            raise BraintankError(f"{type(self).__name__}: weight_decay must be >= 0 and finite, "
                                 f"got {self.weight_decay}")

    def _init_slot(self, name: str, param: np.ndarray) -> np.ndarray:
        return np.zeros_like(param)

    def _init_state(self, params: list[np.ndarray]) -> None:
        self.validate()
        self.state_ = [{name: self._init_slot(name, p) for name in self.slots} for p in params]
        self._tmp = [np.empty_like(p) for p in params]
        self.t_ = 0

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        if self.state_ is None or len(self.state_) != len(params):
            self._init_state(params)
        self.t_ += 1
        self._begin_step()
        for p, g, state, tmp in zip(params, grads, self.state_, self._tmp, strict=True):
            if self.weight_decay:
                g = g + self.weight_decay * p
            self._update(p, g, state, tmp)

    def _begin_step(self) -> None:
        """Hook for per-step scalars (bias corrections, momentum schedules)."""

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray],
                tmp: np.ndarray) -> None:
        raise NotImplementedError

    def _scalars(self) -> dict[str, float]:
        """Scalar state beyond the step count (saved in checkpoints)."""
        return {}

    def _load_scalars(self, scalars: dict[str, float]) -> None:
        """Restore what `_scalars` saved."""

    def state_dict(self) -> dict[str, np.ndarray]:
        """Flat name -> array mapping, suitable for np.savez."""
        out = {"t": np.array(self.t_)}
        out.update({k: np.array(v) for k, v in self._scalars().items()})
        for i, state in enumerate(self.state_ or []):
            out.update({f"{i}.{name}": arr for name, arr in state.items()})
        return out

    def load_state_dict(self, state: dict[str, np.ndarray], params: list[np.ndarray]) -> None:
        """Resume from `state_dict()` output for the same parameter shapes."""
        self._init_state(params)
        self.t_ = int(state["t"])
        self._load_scalars({k: float(v) for k, v in state.items() if "." not in k and k != "t"})
        for i, slots in enumerate(self.state_):
            for name, arr in slots.items():
                saved = state.get(f"{i}.{name}")
                if saved is None or saved.shape != arr.shape:
                    raise BraintankError(f"optimizer state {i}.{name} is missing or has the "
                                         f"wrong shape for this model")
                arr[...] = saved

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items()
                         if not k.endswith("_") and not k.startswith("_"))
        return f"{type(self).__name__}({args})"


def check_range(owner: str, name: str, value: float, low: float, high: float) -> None:
    """BraintankError unless low <= value < high."""
    if not low <= value < high:
        raise BraintankError(f"{owner}: {name} must be in [{low}, {high}), got {value}")
