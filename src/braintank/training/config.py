"""A training run's full configuration as one dataclass, saved as JSON beside its results."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from braintank.data.augment import parse_augment
from braintank.errors import BraintankError

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam", "adadelta",
              "rprop")
SCHEDULES = ("none", "step", "onecycle", "cosine")


@dataclass
class TrainConfig:
    """Everything that decides a run's result; `--seed` makes it deterministic."""

    model: str = "cnn"  # preset name, recorded for humans
    arch: dict = field(default_factory=lambda: {"type": "digit_cnn"})
    dataset: str = "mnist"
    normalize: str = "mnist"
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9  # momentum / nesterov / rmsprop
    betas: tuple[float, float] = (0.9, 0.999)  # adam / nadam
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: int = 10
    schedule: str = "none"
    step_size: int = 1  # step schedule: epochs between decays
    gamma: float = 0.7  # step schedule: decay factor
    clip_grad: float = 0.0  # max gradient norm; 0 = off
    label_smoothing: float = 0.0
    augment: str = "none"
    augment_prob: float = 1.0  # share of each batch's images that are augmented
    val_size: int = 5000
    train_size: int = 0  # use only this many training images (0 = all); for quick runs
    patience: int = 0  # early stopping on validation accuracy; 0 = off
    seed: int = 0
    split_seed: int | None = None  # seed of the validation hold-out; None = seed
    eval_batch_size: int = 1000

    def validate(self) -> TrainConfig:
        checks = [
            (self.optimizer in OPTIMIZERS, f"unknown optimizer {self.optimizer!r} "
             f"(known: {', '.join(OPTIMIZERS)})"),
            (self.schedule in SCHEDULES, f"unknown schedule {self.schedule!r} "
             f"(known: {', '.join(SCHEDULES)})"),
            (self.lr > 0, f"learning rate must be > 0, got {self.lr}"),
            (self.batch_size >= 1, f"batch size must be >= 1, got {self.batch_size}"),
            (self.epochs >= 1, f"epochs must be >= 1, got {self.epochs}"),
            (self.weight_decay >= 0, f"weight decay must be >= 0, got {self.weight_decay}"),
            (self.clip_grad >= 0, f"gradient clip must be >= 0, got {self.clip_grad}"),
            (self.patience >= 0, f"patience must be >= 0, got {self.patience}"),
            (self.train_size >= 0, f"train size must be >= 0, got {self.train_size}"),
            (0 <= self.label_smoothing < 1, "label smoothing must be in [0, 1)"),
            (0 <= self.augment_prob <= 1, "augment probability must be in [0, 1]"),
        ]
        for ok, message in checks:
            if not ok:
                raise BraintankError(message)
        try:
            parse_augment(self.augment)
        except ValueError as exc:
            raise BraintankError(str(exc)) from None
        return self

    @property
    def validation_seed(self) -> int:
        """The seed that picks the validation images: ensemble members must share it."""
        return validation_seed(vars(self))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise BraintankError(f"unknown training settings: {', '.join(sorted(unknown))}")
        data = dict(data)
        if "betas" in data:
            data["betas"] = tuple(data["betas"])
        return cls(**data)


def validation_seed(cfg: dict) -> int:
    """The seed of a run's validation hold-out, from its (saved) config: split_seed, else seed."""
    return cfg["seed"] if cfg.get("split_seed") is None else cfg["split_seed"]
