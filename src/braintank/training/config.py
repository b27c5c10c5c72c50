"""A training run's full configuration as one dataclass, saved as JSON beside its results."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from braintank.data.augment_names import parse_augment
from braintank.errors import BraintankError

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam", "adadelta",
              "rprop")
SCHEDULES = ("none", "step", "onecycle", "cosine")
PRECISIONS = ("auto", "fp32", "bf16")  # auto: bf16 on CUDA, fp32 elsewhere (accelerate.py)
COMPILE_MODES = ("none", "model", "graphs")
KEEPS = ("best", "last")  # which epoch's weights model.pt holds
# Settings added after runs were first saved, with the value those older runs trained with:
# a resumed old run goes on as it started.
ADDED_SETTINGS = {"precision": "fp32", "compile": "none", "teacher": "", "distill_weight": 0.5,
                  "keep": "best", "synth": 0.0, "outliers": 0.0, "outlier_weight": 0.5,
                  "frozen_norm": False}


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
    keep: str = "best"  # model.pt: the epoch best on validation ("best") or the final one
    seed: int = 0
    split_seed: int | None = None  # seed of the validation hold-out; None = seed
    eval_batch_size: int = 1000
    precision: str = "auto"  # of the training forward pass: auto, fp32 or bf16
    compile: str = "none"  # torch.compile the training forward: none, model or graphs
    teacher: str = ""  # distil from this model file ("shipped": the package's); "" = off
    distill_weight: float = 0.5  # share of the loss that follows the teacher's soft targets
    synth: float = 0.0  # share of each batch replaced by stroke-drawn digits (other conventions)
    outliers: float = 0.0  # non-digit marks added to each batch, as a share of its size
    outlier_weight: float = 0.5  # weight of their loss (towards all ten digits alike)
    frozen_norm: bool = False  # batch norm keeps its running statistics (finetune: MNIST's)

    def validate(self) -> TrainConfig:
        """Raise a one-line BraintankError naming the first bad setting; returns self.

        Settings also come back from files (`train --resume`), so types are checked as well
        as ranges, and every float must be finite.
        """
        for label, value, allowed in (("optimizer", self.optimizer, OPTIMIZERS),
                                      ("schedule", self.schedule, SCHEDULES),
                                      ("precision", self.precision, PRECISIONS),
                                      ("compile mode", self.compile, COMPILE_MODES),
                                      ("keep", self.keep, KEEPS)):
            if not isinstance(value, str) or value not in allowed:
                raise BraintankError(f"unknown {label} {value!r} (known: {', '.join(allowed)})")
        try:
            parse_augment(self.augment if isinstance(self.augment, str) else repr(self.augment))
        except ValueError as exc:
            raise BraintankError(str(exc)) from None
        if not isinstance(self.frozen_norm, bool):
            raise BraintankError(f"frozen_norm must be true or false, got {self.frozen_norm!r}")
        for name in ("model", "dataset", "normalize", "teacher"):
            if not isinstance(getattr(self, name), str):
                raise BraintankError(f"{name} must be a name, got {getattr(self, name)!r}")
        if not isinstance(self.arch, dict):
            raise BraintankError(f"arch must be an architecture spec (a dict), got "
                                 f"{self.arch!r}"[:200])
        _check_number("learning rate", self.lr, low=0, low_inclusive=False)
        _check_number("momentum", self.momentum, low=0)
        _check_number("weight decay", self.weight_decay, low=0)
        _check_number("gamma", self.gamma, low=0, low_inclusive=False)
        _check_number("gradient clip", self.clip_grad, low=0)
        _check_number("label smoothing", self.label_smoothing, low=0, high=1,
                      high_inclusive=False)
        _check_number("augment probability", self.augment_prob, low=0, high=1)
        _check_number("distill weight", self.distill_weight, low=0, high=1)
        _check_number("synth share", self.synth, low=0, high=1, high_inclusive=False)
        _check_number("outliers share", self.outliers, low=0, high=1)
        _check_number("outlier weight", self.outlier_weight, low=0, high=10)
        if not isinstance(self.betas, tuple | list) or len(self.betas) != 2:
            raise BraintankError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        for beta in self.betas:
            _check_number("betas", beta, low=0, high=1, high_inclusive=False)
        for label, value, low in (("batch size", self.batch_size, 1), ("epochs", self.epochs, 1),
                                  ("step size", self.step_size, 1),
                                  ("eval batch size", self.eval_batch_size, 1),
                                  ("val size", self.val_size, 0),
                                  ("train size", self.train_size, 0),
                                  ("patience", self.patience, 0), ("seed", self.seed, 0)):
            _check_whole(label, value, low)
        if self.split_seed is not None:
            _check_whole("split seed", self.split_seed, 0)
        return self

    @property
    def validation_seed(self) -> int:
        """The seed that picks the validation images: ensemble members must share it."""
        return validation_seed(vars(self))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict, source: str = "config") -> TrainConfig:
        """The config recorded in `data` (e.g. a checkpoint's); call validate() before use."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = {str(key)[:40] for key in data if key not in known}
        if unknown:
            raise BraintankError(f"{source}: unknown training settings: "
                                 f"{', '.join(sorted(unknown))}")
        data = dict(data)
        if isinstance(data.get("betas"), list):
            data["betas"] = tuple(data["betas"])
        if "betas" in data and not isinstance(data["betas"], tuple):
            raise BraintankError(f"{source}: betas must be two numbers, got {data['betas']!r}")
        return cls(**data)


# The largest whole-number setting: seeds feed NumPy (which refuses negatives) and torch
# (64-bit), with small offsets added.
MAX_WHOLE = 2**62


def _check_number(label: str, value: object, low: float, high: float = math.inf,
                  low_inclusive: bool = True, high_inclusive: bool = True) -> None:
    """`value` is a finite int or float within the bounds, or a one-line error says so."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value >= low if low_inclusive else value > low) and \
            (value <= high if high_inclusive else value < high)
    if not ok:
        lower = f"{'>=' if low_inclusive else '>'} {low:g}"
        upper = "" if high == math.inf else f" and {'<=' if high_inclusive else '<'} {high:g}"
        raise BraintankError(f"{label} must be {lower}{upper} and finite, got {value!r}")


def _check_whole(label: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_WHOLE:
        raise BraintankError(f"{label} must be a whole number >= {low}, got {value!r}")


def validation_seed(cfg: dict) -> int:
    """The seed of a run's validation hold-out, from its (saved) config: split_seed, else seed."""
    return cfg["seed"] if cfg.get("split_seed") is None else cfg["split_seed"]


def validation_split(cfg: dict, source: str) -> tuple[str, int, int]:
    """(dataset, val size, seed) of the validation hold-out a finished model records."""
    dataset, val_size = cfg.get("dataset"), cfg.get("val_size")
    seed = cfg.get("seed") if cfg.get("split_seed") is None else cfg.get("split_seed")
    whole = [isinstance(v, int) and not isinstance(v, bool) for v in (val_size, seed)]
    if not isinstance(dataset, str) or not all(whole) or val_size < 1 \
            or not 0 <= seed <= MAX_WHOLE:
        raise BraintankError(f"{source}: not a finished model with a validation split")
    return dataset, val_size, seed
