"""Training checkpoints: the model .npz plus optimizer state, epoch, RNG and early stopping.

A checkpoint is itself a loadable braintank model (load_model reads it), written
atomically, so a run killed mid-save keeps the previous one.
"""

from __future__ import annotations

import os

import numpy as np

from braintank.scratch.model import Sequential
from braintank.scratch.optim import Optimizer
from braintank.scratch.serialize import model_from_arrays, parse_meta, read_npz, save_model

OPTIM_PREFIX = "optim."


def save_checkpoint(path: str | os.PathLike, model: Sequential, optimizer: Optimizer,
                    meta: dict) -> None:
    """`meta` must be JSON-able (epoch, config, RNG state, best scores...)."""
    extra = {OPTIM_PREFIX + k: v for k, v in optimizer.state_dict().items()}
    save_model(model, path, meta=meta, extra=extra)


def load_checkpoint(path: str | os.PathLike) -> tuple[Sequential, dict[str, np.ndarray], dict]:
    """(model, optimizer state arrays, meta) from save_checkpoint's file."""
    arrays = read_npz(path)
    model = model_from_arrays(arrays, str(path))
    optim_state = {k[len(OPTIM_PREFIX):]: v for k, v in arrays.items()
                   if k.startswith(OPTIM_PREFIX)}
    return model, optim_state, parse_meta(arrays, str(path))
