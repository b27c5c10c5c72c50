"""A training run's full configuration as one dataclass, saved as JSON beside its results."""

from __future__ import annotations

from dataclasses import dataclass

from braintank.config import WHOLE_LIMIT, ConfigBase, setting
from braintank.data.augment_names import parse_augment
from braintank.errors import BraintankError
from braintank.schedules import OLD_SCHEDULE_NAMES, SCHEDULE_NAMES

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam", "adadelta",
              "rprop")
PRECISIONS = ("auto", "fp32", "bf16")  # auto: bf16 on CUDA, fp32 elsewhere (accelerate.py)
COMPILE_MODES = ("none", "model", "graphs")
KEEPS = ("best", "last")  # which epoch's weights model.pt holds
# Settings added after runs were first saved, with the value those older runs trained with:
# a resumed old run goes on as it started.
ADDED_SETTINGS = {"precision": "fp32", "compile": "none", "teacher": "", "distill_weight": 0.5,
                  "keep": "best", "synth": 0.0, "outliers": 0.0, "outlier_weight": 0.5,
                  "frozen_norm": False}


@dataclass
class TrainConfig(ConfigBase):
    """Everything that decides a run's result; `--seed` makes it deterministic.

    Settings also come back from files (`train --resume`), so `validate()` checks types as
    well as ranges, and every float must be finite (`braintank.config`).
    """

    settings_name = "training"

    model: str = "cnn"  # preset name, recorded for humans
    arch: dict = setting(factory=lambda: {"type": "digit_cnn"},
                         what="an architecture spec (a dict)")
    dataset: str = "mnist"
    normalize: str = "mnist"
    optimizer: str = setting("adam", choices=OPTIMIZERS)
    lr: float = setting(1e-3, label="learning rate", above=0)
    momentum: float = 0.9  # momentum / nesterov / rmsprop
    betas: tuple[float, float] = setting((0.9, 0.999), below=1)  # adam / nadam
    weight_decay: float = setting(0.0, label="weight decay")
    batch_size: int = setting(64, label="batch size", at_least=1)
    epochs: int = setting(10, at_least=1)
    schedule: str = setting("none", choices=SCHEDULE_NAMES, renamed=OLD_SCHEDULE_NAMES)
    step_size: int = setting(1, label="step size", at_least=1)  # step: epochs between decays
    gamma: float = setting(0.7, above=0)  # step schedule: decay factor
    clip_grad: float = setting(0.0, label="gradient clip")  # max gradient norm; 0 = off
    label_smoothing: float = setting(0.0, label="label smoothing", below=1)
    augment: str = setting("none", check=parse_augment)
    # share of each batch's images that are augmented
    augment_prob: float = setting(1.0, label="augment probability", at_most=1)
    val_size: int = setting(5000, label="val size")
    # use only this many training images (0 = all); for quick runs
    train_size: int = setting(0, label="train size")
    patience: int = 0  # early stopping on validation accuracy; 0 = off
    # model.pt: the epoch best on validation ("best") or the final one
    keep: str = setting("best", choices=KEEPS)
    seed: int = 0
    # seed of the validation hold-out; None = seed
    split_seed: int | None = setting(None, label="split seed")
    eval_batch_size: int = setting(1000, label="eval batch size", at_least=1)
    # of the training forward pass: auto, fp32 or bf16
    precision: str = setting("auto", choices=PRECISIONS)
    # torch.compile the training forward: none, model or graphs
    compile: str = setting("none", label="compile mode", choices=COMPILE_MODES)
    teacher: str = ""  # distil from this model file ("shipped": the package's); "" = off
    # share of the loss that follows the teacher's soft targets
    distill_weight: float = setting(0.5, label="distill weight", at_most=1)
    # share of each batch replaced by stroke-drawn digits (other conventions)
    synth: float = setting(0.0, label="synth share", below=1)
    # non-digit marks added to each batch, as a share of its size
    outliers: float = setting(0.0, label="outliers share", at_most=1)
    # weight of their loss (towards all ten digits alike)
    outlier_weight: float = setting(0.5, label="outlier weight", at_most=10)
    frozen_norm: bool = False  # batch norm keeps its running statistics (finetune: MNIST's)

    @property
    def validation_seed(self) -> int:
        """The seed that picks the validation images: ensemble members must share it."""
        return validation_seed(vars(self))


def validation_seed(cfg: dict) -> int:
    """The seed of a run's validation hold-out, from its (saved) config: split_seed, else seed."""
    return cfg["seed"] if cfg.get("split_seed") is None else cfg["split_seed"]


def validation_split(cfg: dict, source: str) -> tuple[str, int, int]:
    """(dataset, val size, seed) of the validation hold-out a finished model records."""
    dataset, val_size = cfg.get("dataset"), cfg.get("val_size")
    seed = cfg.get("seed") if cfg.get("split_seed") is None else cfg.get("split_seed")
    whole = [isinstance(v, int) and not isinstance(v, bool) for v in (val_size, seed)]
    if not isinstance(dataset, str) or not all(whole) or val_size < 1 \
            or not 0 <= seed <= WHOLE_LIMIT:
        raise BraintankError(f"{source}: not a finished model with a validation split")
    return dataset, val_size, seed
