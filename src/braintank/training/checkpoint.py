"""The one file format for trained networks: checkpoints to resume and models to ship.

A file is a dict of tensors and plain values written with torch.save and read with
`weights_only=True`, so loading never unpickles arbitrary objects. Writes are atomic.
Keys: format, version, kind ("checkpoint" | "model"), arch, config, normalize, model
(state dict), calibration; checkpoints add optimizer, scheduler, epoch, best, rng.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import torch

from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes

FORMAT = "braintank"
VERSION = 1


def save(path: str | os.PathLike, payload: dict) -> None:
    """Write `payload` atomically (temporary file + fsync + rename)."""
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "version": VERSION, **payload}, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict:
    """Read a braintank file; anything else is a one-line BraintankError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise BraintankError(f"{path}: model file not found")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - garbage input breaks the unpickler in many ways
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BraintankError(f"{path}: not a readable braintank model file ({reason[:160]})") \
            from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise BraintankError(f"{path}: not a braintank model file (made by another program?)")
    if payload.get("version", 0) > VERSION:
        raise BraintankError(f"{path}: made by a newer braintank (format "
                             f"{payload['version']}); upgrade braintank")
    for key in ("arch", "model", "normalize"):
        if key not in payload:
            raise BraintankError(f"{path}: braintank file is missing {key!r}")
    return payload


def rng_state(shuffle: torch.Generator, augment: torch.Generator) -> dict:
    state = {"torch": torch.get_rng_state(), "shuffle": shuffle.get_state(),
             "augment": augment.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict, shuffle: torch.Generator, augment: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    shuffle.set_state(state["shuffle"])
    augment.set_state(state["augment"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
