"""Save and load scratch models as .npz (the course's serialization), atomically.

Layout: `braintank_format` (a marker string), `format_version`, `architecture` (JSON list
of layer specs), `meta` (JSON), `param.<i>` for each parameter in model.params() order,
and any extra arrays (a checkpoint's optimizer state) under their own names.

Reading trusts nothing in the file: each array's header is checked before its data is read,
the architecture is checked (types, sizes, parameter count) before a layer is built, and the
parameters are checked against it before they are copied. Every failure is one BraintankError.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from braintank.errors import BraintankError
from braintank.fileio import atomic_open, check_array_headers
from braintank.scratch.activations import ACTIVATIONS
from braintank.scratch.dense import DTYPES
from braintank.scratch.model import Sequential, build_layer

FORMAT = "braintank-scratch-model"
VERSION = 1
MAX_PARAMETERS = 100_000_000  # the largest model read from a file
MAX_LAYERS = 256
# A checkpoint holds the parameters and the optimizer's state (up to two arrays per parameter).
ARRAYS_PER_PARAMETER = 4
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
                KeyError, NotImplementedError, RuntimeError, zlib.error, UnicodeError,
                SyntaxError, RecursionError, MemoryError)


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


def read_npz(path: str | os.PathLike,
             max_parameters: int = MAX_PARAMETERS) -> dict[str, np.ndarray]:
    """All arrays of a braintank .npz; BraintankError for anything else."""
    path = Path(path)
    if not path.is_file():
        raise BraintankError(f"{path}: file not found")
    try:
        check_array_headers(path, ARRAYS_PER_PARAMETER * max_parameters * 8)
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except BraintankError:
        raise
    except _READ_ERRORS as exc:
        raise BraintankError(f"{path}: not a readable .npz file "
                             f"({_first_line(exc)})") from None
    marker = arrays.get("braintank_format")
    if not _is_text(marker) or str(marker) != FORMAT:
        raise BraintankError(f"{path}: not a braintank scratch model "
                             f"(no '{FORMAT}' marker in the .npz)")
    version = arrays.get("format_version")
    if not isinstance(version, np.ndarray) or version.shape != () \
            or version.dtype.kind not in "iu" or not 1 <= int(version) <= VERSION:
        raise BraintankError(f"{path}: format version {_describe(version)} is not one this "
                             f"braintank reads (1 to {VERSION})")
    return arrays


def parse_architecture(arrays: dict[str, np.ndarray], source: str = "model",
                       max_parameters: int = MAX_PARAMETERS) -> list[dict]:
    """The layer specs stored in `arrays`, checked; nothing is built or allocated."""
    specs = _parse_json(arrays, "architecture", source)
    if not isinstance(specs, list) or not 1 <= len(specs) <= MAX_LAYERS:
        raise BraintankError(f"{source}: damaged architecture description (not a list of 1 to "
                             f"{MAX_LAYERS} layers)")
    for index, spec in enumerate(specs):
        _check_layer(spec, index, source)
    dense = [spec for spec in specs if spec["type"] == "dense"]
    if not dense:
        raise BraintankError(f"{source}: the architecture has no dense layer")
    for before, after in zip(dense, dense[1:], strict=False):
        if before["out_features"] != after["in_features"] \
                or before.get("dtype", "float32") != after.get("dtype", "float32"):
            raise BraintankError(f"{source}: dense layers {before['in_features']}->"
                                 f"{before['out_features']} and {after['in_features']}->"
                                 f"{after['out_features']} do not connect (sizes or dtypes)")
    count = sum(spec["in_features"] * spec["out_features"] + spec["out_features"]
                for spec in dense)
    if count > max_parameters:
        raise BraintankError(f"{source}: the model has {count:,} parameters, more than the "
                             f"{max_parameters:,} braintank loads")
    return specs


def parse_meta(arrays: dict[str, np.ndarray], source: str = "model") -> dict:
    """The JSON metadata stored beside the model, which must be an object."""
    meta = _parse_json(arrays, "meta", source)
    if not isinstance(meta, dict):
        raise BraintankError(f"{source}: damaged meta (a JSON object expected)")
    return meta


def model_from_arrays(arrays: dict[str, np.ndarray], source: str = "model",
                      specs: list[dict] | None = None) -> Sequential:
    """Rebuild the Sequential stored in `arrays` (from read_npz), checked before it is built."""
    specs = parse_architecture(arrays, source) if specs is None else specs
    shapes = [shape for spec in specs if spec["type"] == "dense"
              for shape in ((spec["out_features"], spec["in_features"]), (spec["out_features"],))]
    for i, shape in enumerate(shapes):
        saved = arrays.get(f"param.{i}")
        if not isinstance(saved, np.ndarray) or saved.shape != shape \
                or saved.dtype.kind != "f":
            raise BraintankError(f"{source}: parameter {i} is missing or has the wrong shape "
                                 f"or type (needs float {shape})")
        if not np.isfinite(saved).all():
            raise BraintankError(f"{source}: parameter {i} contains NaN or infinity")
    extra = sorted(name for name in arrays if name.startswith("param.")
                   and name not in {f"param.{i}" for i in range(len(shapes))})
    if extra:
        raise BraintankError(f"{source}: {extra[0]} does not belong to the architecture")
    model = Sequential([build_layer(spec) for spec in specs])
    for i, param in enumerate(model.params()):
        param[...] = arrays[f"param.{i}"]
    return model


def load_model(path: str | os.PathLike) -> Sequential:
    """The model saved at `path` by save_model (or in a training checkpoint)."""
    return model_from_arrays(read_npz(path), str(path))


def load_meta(path: str | os.PathLike) -> dict:
    """The JSON metadata stored beside the model."""
    return parse_meta(read_npz(path), str(path))


def _check_layer(spec: object, index: int, source: str) -> None:
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise BraintankError(f"{source}: damaged architecture description (layer {index} "
                             f"is not a dict with a 'type')")
    kind = spec["type"]
    if kind == "dense":
        for field in ("in_features", "out_features"):
            value = spec.get(field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise BraintankError(f"{source}: layer {index} (dense) {field} must be a "
                                     f"whole number >= 1, got {_short(value)}")
        if spec.get("dtype", "float32") not in DTYPES:
            raise BraintankError(f"{source}: layer {index} (dense) dtype must be one of "
                                 f"{', '.join(DTYPES)}, got {_short(spec.get('dtype'))}")
    elif kind == "dropout":
        p = spec.get("p")
        if not _is_real(p) or not 0 <= p < 1:
            raise BraintankError(f"{source}: layer {index} (dropout) p must be in [0, 1), "
                                 f"got {_short(p)}")
    elif kind == "threshold":
        if not _is_real(spec.get("low", 0.0)):
            raise BraintankError(f"{source}: layer {index} (threshold) low must be a number")
    elif kind not in ACTIVATIONS:
        raise BraintankError(f"{source}: unknown layer type {_short(kind)} in model "
                             f"description")


def _parse_json(arrays: dict[str, np.ndarray], name: str, source: str) -> object:
    value = arrays.get(name)
    if not _is_text(value):
        raise BraintankError(f"{source}: damaged {name} (missing or not text)")
    try:
        return json.loads(str(value))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BraintankError(f"{source}: damaged {name} (not JSON: "
                             f"{_first_line(exc)})") from None


def _is_text(value: object) -> bool:
    return isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind == "U"


def _is_real(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuU":
        return _short(value.item())
    return "(missing)" if value is None else "(not a number)"


def _short(value: object) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__
