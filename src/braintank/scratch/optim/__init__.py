"""The optimizers of course 6 as small classes, and `make_optimizer` to pick one by name."""

from __future__ import annotations

from braintank.errors import BraintankError
from braintank.scratch.optim.adam import Adam, Nadam
from braintank.scratch.optim.adaptive import Adadelta, Adagrad, RMSprop
from braintank.scratch.optim.base import Optimizer
from braintank.scratch.optim.rprop import Rprop
from braintank.scratch.optim.sgd import SGD, Momentum, Nesterov

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "rprop": Rprop,
    "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "nadam": Nadam,
    "adadelta": Adadelta,
}


def make_optimizer(name: str, lr: float, weight_decay: float = 0.0, **hyper) -> Optimizer:
    """The optimizer called `name` with validated hyper-parameters."""
    cls = OPTIMIZERS.get(name.lower())
    if cls is None:
        raise BraintankError(f"unknown optimizer {name!r} (known: {', '.join(OPTIMIZERS)})")
    try:
        optimizer = cls(lr=lr, weight_decay=weight_decay, **hyper)
    except TypeError as exc:
        raise BraintankError(f"optimizer {name!r}: {exc}") from None
    optimizer.validate()
    return optimizer


__all__ = ["OPTIMIZERS", "SGD", "Adadelta", "Adagrad", "Adam", "Momentum", "Nadam",
           "Nesterov", "Optimizer", "RMSprop", "Rprop", "make_optimizer"]
