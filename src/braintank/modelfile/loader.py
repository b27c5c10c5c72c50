"""`load(path)`: any braintank model file, checked, as a network ready to run."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from torch import nn

from braintank.modelfile.fields import check_calibration, check_config, check_normalize
from braintank.modelfile.network import build_network
from braintank.modelfile.npzfile import read_npz_model
from braintank.modelfile.torchfile import read_payload

_NPZ_MARKER = "braintank_format.npy"


@dataclass(frozen=True)
class ModelFile:
    """A loaded model file. `network` is in eval mode on the CPU, its weights loaded."""

    path: Path
    network: nn.Module
    normalize: tuple[float, float]
    calibration: dict  # {} when the file has none
    arch: dict | list  # the .pt architecture spec, or the .npz layer specs
    config: dict  # the training settings recorded with it ({} when none)
    kind: str | None  # "model" | "checkpoint" for .pt files, None for .npz
    engine: str  # "torch" (.pt) or "numpy" (.npz)
    payload: dict = field(default_factory=dict, repr=False)  # every .pt field, as stored


def load(path: str | os.PathLike) -> ModelFile:
    """The model file at `path` (.pt or the NumPy engine's .npz), checked before it is built.

    Raises BraintankError, one line naming the file, for anything that is not a braintank
    model reading 28x28 digits into 10 classes.
    """
    path = Path(path)
    if _is_npz(path):
        network, specs, meta = read_npz_model(path)
        return ModelFile(path, network, meta["normalize"], meta["calibration"], specs,
                         check_config(meta.get("config"), str(path)), None, "numpy")
    payload = read_payload(path)
    source = str(path)
    network = build_network(payload["arch"], payload["model"], source)
    return ModelFile(path, network, check_normalize(payload["normalize"], source),
                     check_calibration(payload.get("calibration"), source), payload["arch"],
                     check_config(payload.get("config"), source), payload.get("kind"),
                     "torch", payload)


def _is_npz(path: Path) -> bool:
    """By name, or by content for a NumPy-engine model renamed to .pt."""
    if path.suffix == ".npz":
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            return _NPZ_MARKER in archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False
