"""The course's optimizers and learning-rate schedules, by name, on torch.optim.

Rprop adapts each weight's step from the sign of successive gradients, which only means
something when each gradient is over the whole training set: `full_batch(name)` tells the
training loop to accumulate one gradient per epoch instead of taking mini-batch steps.
"""

from __future__ import annotations

import torch
from torch import optim

from braintank.training.config import TrainConfig


def full_batch(optimizer: str) -> bool:
    return optimizer == "rprop"


def make_optimizer(params, cfg: TrainConfig, fused: bool = False) -> optim.Optimizer:
    """`fused`: Adam's update as one kernel over all weights (what CUDA runs fastest); off,
    torch picks its default implementation (the CPU runs' numbers depend on it)."""
    wd = cfg.weight_decay
    adam_impl = {"fused": True} if fused else {}
    match cfg.optimizer:
        case "sgd":
            return optim.SGD(params, lr=cfg.lr, weight_decay=wd)
        case "momentum":
            return optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=wd)
        case "nesterov":
            return optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, nesterov=True,
                             weight_decay=wd)
        case "adagrad":
            return optim.Adagrad(params, lr=cfg.lr, weight_decay=wd)
        case "rmsprop":
            return optim.RMSprop(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=wd)
        case "adam":
            return optim.AdamW(params, lr=cfg.lr, betas=cfg.betas, weight_decay=wd,
                               **adam_impl) if wd \
                else optim.Adam(params, lr=cfg.lr, betas=cfg.betas, **adam_impl)
        case "nadam":
            return optim.NAdam(params, lr=cfg.lr, betas=cfg.betas, weight_decay=wd)
        case "adadelta":
            return optim.Adadelta(params, lr=cfg.lr, weight_decay=wd)
        case "rprop":
            return optim.Rprop(params, lr=cfg.lr)
    raise AssertionError(f"unvalidated optimizer {cfg.optimizer}")


def make_scheduler(opt: optim.Optimizer, cfg: TrainConfig,
                   steps_per_epoch: int) -> optim.lr_scheduler.LRScheduler | None:
    """The schedule, stepped once per optimizer step (step decays every `step_size` epochs)."""
    total = cfg.epochs * steps_per_epoch
    match cfg.schedule:
        case "none":
            return None
        case "step":
            return optim.lr_scheduler.StepLR(opt, step_size=cfg.step_size * steps_per_epoch,
                                             gamma=cfg.gamma)
        case "cosine":
            return optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
        case "onecycle":
            if total < 3:  # no room for a warm-up and an annealing phase
                return None
            # a quarter of the steps warm up; very short runs need at least two of them
            return optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=total,
                                                 pct_start=max(0.25, min(0.5, 2 / total)))
    raise AssertionError(f"unvalidated schedule {cfg.schedule}")


def current_lr(opt: optim.Optimizer) -> float:
    return float(opt.param_groups[0]["lr"])


def clip_gradients(model: torch.nn.Module, max_norm: float) -> None:
    if max_norm > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
