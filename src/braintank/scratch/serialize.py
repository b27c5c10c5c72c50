"""Save and load scratch models as .npz (the course's serialization), atomically.

Layout: `braintank_format` (a marker string), `format_version`, `architecture` (JSON list
of layer specs), `meta` (JSON), `param.<i>` for each parameter in model.params() order,
and any extra arrays (a checkpoint's optimizer state) under their own names.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from braintank.errors import BraintankError
from braintank.fileio import atomic_open
from braintank.scratch.model import Sequential, build_layer

FORMAT = "braintank-scratch-model"
VERSION = 1


def save_model(model: Sequential, path: str | os.PathLike, meta: dict | None = None,
               extra: dict[str, np.ndarray] | None = None) -> None:
    """Write `model` (and optional JSON `meta` and named `extra` arrays) to `path`."""
    arrays = {"braintank_format": np.array(FORMAT), "format_version": np.array(VERSION),
              "architecture": np.array(json.dumps(model.spec())),
              "meta": np.array(json.dumps(meta or {}))}
    arrays.update({f"param.{i}": p for i, p in enumerate(model.params())})
    for name, value in (extra or {}).items():
        if name in arrays:
            raise BraintankError(f"extra array name {name!r} clashes with the model's own")
        arrays[name] = value
    with atomic_open(path, "wb") as handle:
        np.savez(handle, **arrays)


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """All arrays of a braintank .npz; BraintankError for anything else."""
    path = Path(path)
    if not path.is_file():
        raise BraintankError(f"{path}: file not found")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BraintankError(f"{path}: not a readable .npz file ({exc})") from None
    if "braintank_format" not in arrays or str(arrays["braintank_format"]) != FORMAT:
        raise BraintankError(f"{path}: not a braintank scratch model "
                             f"(no '{FORMAT}' marker in the .npz)")
    if int(arrays["format_version"]) > VERSION:
        raise BraintankError(f"{path}: model format version {int(arrays['format_version'])} "
                             f"is newer than this braintank reads ({VERSION})")
    return arrays


def model_from_arrays(arrays: dict[str, np.ndarray], source: str = "model") -> Sequential:
    """Rebuild the Sequential stored in `arrays` (from read_npz)."""
    try:
        specs = json.loads(str(arrays["architecture"]))
        model = Sequential([build_layer(spec) for spec in specs])
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise BraintankError(f"{source}: damaged architecture description ({exc})") from None
    for i, param in enumerate(model.params()):
        saved = arrays.get(f"param.{i}")
        if saved is None or saved.shape != param.shape:
            raise BraintankError(f"{source}: parameter {i} is missing or has the wrong shape")
        param[...] = saved
    return model


def load_model(path: str | os.PathLike) -> Sequential:
    """The model saved at `path` by save_model (or in a training checkpoint)."""
    return model_from_arrays(read_npz(path), str(path))


def load_meta(path: str | os.PathLike) -> dict:
    """The JSON metadata stored beside the model."""
    return json.loads(str(read_npz(path)["meta"]))
