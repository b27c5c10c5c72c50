"""What a finetune trains and recalibrates on, fixed at its start and saved in the run folder.

The corrected digits are split (seeded) into a training share and a held-out share; MNIST
training images (never the base model's validation images) are replayed beside them so the
network keeps what it knew, and the corrections are repeated so they still weigh enough in
each epoch. Everything drawn here goes into RUN/finetune-data.npz at the start (written
atomically), so `--resume` needs neither the store nor a new draw.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from braintank.data import load_split
from braintank.data.transforms import to_tensor, train_val_split
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes
from braintank.training.data import RunData

SNAPSHOT_FILE = "finetune-data.npz"
# Enough corrections to learn from and to check the result with. The held-out share sets
# the new review threshold: with fewer than 10 digits one digit moves its accuracy by 10
# points, and a threshold fitted there means nothing. The training share must carry about
# five examples of each digit before a few epochs at a small learning rate change anything
# the held-out share could show; 50 in all (at the default --holdout 0.25: 38 to train, 12
# held out) is the smallest store that satisfies both.
MIN_LABELED = 50
MIN_HELDOUT = 10
HOLDOUT_RANGE = (0.05, 0.5)
# Replay: 10 MNIST images per training correction, at least 3,000 (a few per class and
# writer style for every batch); the corrections are repeated to make about a quarter of
# each epoch, so they pull the network toward the client's writing without drowning MNIST.
REPLAY_PER_CORRECTION = 10
MIN_REPLAY = 3000
CORRECTION_SHARE = 0.25


@dataclass
class Corrections:
    """Digits a person confirmed or corrected: uint8 [N,28,28] (ink 255) and labels [N].
    `source` names where they came from; `notes` (JSON-ready) goes into summary.json."""

    images: np.ndarray
    labels: np.ndarray
    source: str
    notes: dict


@dataclass
class FinetuneData:
    train_images: np.ndarray  # uint8 [n, 28, 28]
    train_labels: np.ndarray  # int64 [n]
    heldout_images: np.ndarray
    heldout_labels: np.ndarray
    replay_index: np.ndarray  # int64 indices into the MNIST training file
    copies: int  # times each training correction appears per epoch
    meta: dict  # JSON-ready: source, base model, MNIST split, notes, the 'before' numbers


def check_holdout(holdout: float) -> None:
    low, high = HOLDOUT_RANGE
    if isinstance(holdout, bool) or not isinstance(holdout, int | float) \
            or not low <= holdout <= high:
        raise BraintankError(f"--holdout must be between {low} and {high} (the share of "
                             f"corrected digits kept to recalibrate on), got {holdout!r}")


def heldout_count(total: int, holdout: float) -> int:
    return int(round(total * holdout))


def check_enough(total: int, holdout: float, source: str, hint: str = "") -> None:
    """Refuse too few corrected digits, saying how many are needed."""
    hint = f" ({hint})" if hint else ""
    if total < MIN_LABELED:
        raise BraintankError(f"{source}: {total} corrected digits to learn from; finetune needs "
                             f"at least {MIN_LABELED} (review more cells: `braintank sheet "
                             f"review --all`){hint}")
    kept = heldout_count(total, holdout)
    if kept < MIN_HELDOUT:
        needed = next(n for n in range(total, total + math.ceil(MIN_HELDOUT / holdout) + 2)
                      if heldout_count(n, holdout) >= MIN_HELDOUT)
        raise BraintankError(f"{source}: --holdout {holdout} of {total} corrected digits keeps "
                             f"{kept} to recalibrate on; finetune needs at least {MIN_HELDOUT} "
                             f"(at least {needed} corrected digits, or a larger --holdout)")


def split_corrections(n: int, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train, held-out) indices into the corrections."""
    order = np.random.default_rng(seed).permutation(n)
    kept = heldout_count(n, holdout)
    return np.sort(order[kept:]), np.sort(order[:kept])


def replay_plan(mnist_count: int, val_size: int, val_seed: int, n_train: int,
                seed: int, size: int | None = None) -> tuple[np.ndarray, int]:
    """(MNIST indices to replay, copies of each correction per epoch); the base model's
    validation images are never replayed, so they stay fit to recalibrate on. `size`
    overrides the number replayed."""
    train_idx, _ = train_val_split(mnist_count, val_size, val_seed)
    if size is None:
        size = max(MIN_REPLAY, REPLAY_PER_CORRECTION * n_train)
    size = min(len(train_idx), max(1, size))
    chosen = np.random.default_rng(seed + 1).choice(train_idx, size=size, replace=False)
    copies = max(1, round(CORRECTION_SHARE / (1 - CORRECTION_SHARE) * size / n_train))
    return np.sort(chosen).astype(np.int64), copies


def mnist_validation(meta: dict, data_dir: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The base model's own MNIST validation images and labels (uint8, int64)."""
    mnist = meta["mnist"]
    images, labels = load_split(mnist["dataset"], "train", data_dir)
    _, val_idx = train_val_split(len(labels), mnist["val_size"], mnist["val_seed"])
    return images[val_idx], labels[val_idx]


def run_data(data: FinetuneData, device: torch.device, data_dir: str | None) -> RunData:
    """Training tensors (replay + repeated corrections) and the MNIST validation split, which
    the training log reports each epoch: it shows whether MNIST is being forgotten."""
    mean, std = data.meta["normalize"]
    images, labels = load_split(data.meta["mnist"]["dataset"], "train", data_dir)
    if len(data.replay_index) and int(data.replay_index.max()) >= len(labels):
        raise BraintankError(f"{SNAPSHOT_FILE}: replay indices beyond the MNIST training file "
                             "(damaged snapshot); start the finetune again into a new --out")
    x = np.concatenate([images[data.replay_index]] + [data.train_images] * data.copies)
    y = np.concatenate([labels[data.replay_index]] + [data.train_labels] * data.copies)
    val_images, val_labels = mnist_validation(data.meta, data_dir)
    return RunData(to_tensor(x, mean, std, device), torch.tensor(y).to(device),
                   to_tensor(val_images, mean, std, device),
                   torch.tensor(val_labels).to(device), (mean, std))


# ---- the snapshot file ------------------------------------------------------------------
_ARRAYS = ("train_images", "train_labels", "heldout_images", "heldout_labels", "replay_index")


def save_snapshot(run_dir: str | Path, data: FinetuneData) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **{name: getattr(data, name) for name in _ARRAYS},
             copies=np.array(data.copies), meta=np.array(json.dumps(data.meta)))
    atomic_write_bytes(Path(run_dir) / SNAPSHOT_FILE, buffer.getvalue())


def load_snapshot(run_dir: str | Path) -> FinetuneData:
    """The snapshot of `run_dir`, checked; a missing or damaged one is a one-line error."""
    path = Path(run_dir) / SNAPSHOT_FILE
    if not path.is_file():
        raise BraintankError(f"{run_dir}: no finetune snapshot ({SNAPSHOT_FILE}); not a "
                             "finetune run, or it was stopped before its data was saved: run "
                             "the finetune again without --resume")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in (*_ARRAYS, "copies", "meta")}
        data = FinetuneData(*(arrays[name] for name in _ARRAYS), int(arrays["copies"]),
                            json.loads(str(arrays["meta"])))
        _check(data)
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise BraintankError(f"{path}: damaged finetune snapshot ({reason}); start the "
                             "finetune again into a new --out") from None
    return data


def _check(data: FinetuneData) -> None:
    for images, labels in ((data.train_images, data.train_labels),
                           (data.heldout_images, data.heldout_labels)):
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28) \
                or labels.shape != (len(images),) or labels.dtype.kind not in "iu" \
                or not np.isin(labels, np.arange(10)).all():
            raise ValueError("corrections are not 28x28 uint8 images with digit labels")
    if data.replay_index.ndim != 1 or data.replay_index.dtype.kind not in "iu" \
            or data.copies < 1 or len(data.train_labels) == 0:
        raise ValueError("replay indices or copies out of range")
    if not {"normalize", "mnist", "before"} <= set(data.meta):
        raise ValueError("its record of the base model is incomplete")
