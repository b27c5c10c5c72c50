"""braintank's .pt format: checkpoints to resume and models to ship, in one file layout.

A file is a dict of tensors and plain values written with torch.save (PyTorch's zip format)
and read with `weights_only=True`, so loading never unpickles arbitrary objects. Writes are
atomic. Keys: format, version, kind ("checkpoint" | "model"), arch, config, normalize, model
(state dict), calibration; checkpoints add optimizer, scheduler, state and rng.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import torch

from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes, unpacked_bytes
from braintank.modelfile.fields import check_calibration, check_config, check_kind, check_normalize
from braintank.modelfile.network import MAX_PARAMETERS
from braintank.nets.spec import short_repr

FORMAT = "braintank"
VERSION = 1
REQUIRED = ("arch", "model", "normalize")
# Parameters, optimizer state (two more copies for Adam) and float64 slack: far above any
# real file, far below what would exhaust memory when a crafted archive is unpacked.
MAX_UNPACKED_BYTES = 16 * MAX_PARAMETERS


def save(path: str | os.PathLike, payload: dict) -> None:
    """Write `payload` atomically (temporary file + fsync + rename)."""
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "version": VERSION, **payload}, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def read_payload(path: str | os.PathLike) -> dict:
    """The dict stored in a braintank .pt, its fields checked; tensors on the CPU.

    The network itself is not built here (see `braintank.modelfile.network`).
    """
    path = Path(path)
    if not path.is_file():
        raise BraintankError(f"{path}: model file not found")
    _check_archive(path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - garbage input breaks the unpickler in many ways
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BraintankError(f"{path}: not a readable braintank model file ({reason[:160]})") \
            from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise BraintankError(f"{path}: not a braintank model file (made by another program?)")
    version = payload.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BraintankError(f"{path}: format version must be a whole number, got "
                             f"{short_repr(version)}")
    if version > VERSION:
        raise BraintankError(f"{path}: made by a newer braintank (format {version}); "
                             f"upgrade braintank")
    for key in REQUIRED:
        if key not in payload:
            raise BraintankError(f"{path}: braintank file is missing {key!r}")
    source = str(path)
    check_kind(payload.get("kind"), source)
    check_config(payload.get("config"), source)
    check_normalize(payload["normalize"], source)
    check_calibration(payload.get("calibration"), source)
    return payload


def _check_archive(path: Path) -> None:
    """braintank writes PyTorch's zip format; refuse anything else, and archives that would
    unpack to more than a model of the largest size allowed."""
    unpacked = unpacked_bytes(path)
    if unpacked is None:
        raise BraintankError(f"{path}: not a braintank model file (not a PyTorch zip "
                             f"archive; made by another program?)")
    if unpacked > MAX_UNPACKED_BYTES:
        raise BraintankError(f"{path}: unpacks to {unpacked:,} bytes, more than a model of "
                             f"{MAX_PARAMETERS:,} parameters needs; refused")
