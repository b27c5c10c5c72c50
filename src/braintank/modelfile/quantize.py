"""The int8 copy of a model for `--runtime onnx-int8`: ONNX Runtime static quantization.

Weights are int8 per output channel, activations uint8 per tensor, in the QDQ format (which
ONNX Runtime fuses into integer kernels; on this project's AVX2 CPU it ran as fast as the
older QOperator format at batch 256 and faster on single digits). Activation ranges come
from a few hundred MNIST training digits, prepared and normalised exactly as the classifier
prepares them (`calibration_inputs`). The first convolution stays float: with one input
channel its int8 kernel was slower than the float one and cost 0.1 point of MNIST accuracy.

The int8 network is stored beside its model file (`default.pt` -> `default.int8.onnx`), with
the SHA-256 of the model file it was made from and the calibration (temperature, review
threshold) refitted on its own logits, since they differ slightly from the float network's.
Building that file needs the training data and the review calibration, so it lives in
`training/int8.py`; the CLI builds it on first use, and again when the model file changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from braintank.data.views import view_stack
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes
from braintank.modelfile import MAX_PARAMETERS
from braintank.modelfile.contract import IMAGE_SIDE, NUM_CLASSES, check_classes
from braintank.modelfile.export import onnx_bytes, onnx_session
from braintank.modelfile.fields import check_calibration

INT8_SUFFIX = ".int8.onnx"
SOURCE_KEY = "braintank.source_sha256"
CALIBRATION_KEY = "braintank.calibration"
CONTENT_KEY = "braintank.content_sha256"  # of the file without this entry
# int8 weights of the largest model braintank loads, plus its graph and float first layer
MAX_INT8_BYTES = MAX_PARAMETERS + 64 * 2**20
CALIBRATION_BATCH = 250


def int8_path(model_path: str | os.PathLike) -> Path:
    """Where the int8 copy of `model_path` lives: beside it, `.pt` -> `.int8.onnx`."""
    path = Path(model_path)
    return path.with_name(path.stem + INT8_SUFFIX)


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def calibration_inputs(images: np.ndarray, normalize: tuple[float, float],
                       views: int = 1) -> np.ndarray:
    """Network inputs [N * views, 1, 28, 28] for prepared digits [N, 28, 28] in [0, 1]: every
    test-time view the classifier will run, normalised as `DigitClassifier` normalises."""
    mean, std = normalize
    stack = view_stack(np.asarray(images, dtype=np.float32), views)
    return ((stack - mean) / std)[:, None].astype(np.float32)


def quantize_network(model: nn.Module, inputs: np.ndarray) -> bytes:
    """The int8 ONNX serialisation of `model` (BN already folded: `for_inference`), its
    activation ranges measured on `inputs` [N, 1, 28, 28]."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Batches(CalibrationDataReader):
        def __init__(self):
            self.start = 0

        def get_next(self) -> dict | None:
            if self.start >= len(inputs):
                return None
            batch = inputs[self.start:self.start + CALIBRATION_BATCH]
            self.start += CALIBRATION_BATCH
            return {"x": np.ascontiguousarray(batch)}

    float_model = onnx.load_from_string(onnx_bytes(model))
    first_conv = [n.name for n in float_model.graph.node if n.op_type == "Conv"][:1]
    root = logging.getLogger()
    root.addFilter(_no_preprocessing_advice)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "int8.onnx"
            quantize_static(float_model, out, Batches(), quant_format=QuantFormat.QDQ,
                            per_channel=True, activation_type=QuantType.QUInt8,
                            weight_type=QuantType.QInt8, nodes_to_exclude=first_conv)
            return out.read_bytes()
    finally:
        root.removeFilter(_no_preprocessing_advice)


def _no_preprocessing_advice(record: logging.LogRecord) -> bool:
    """ONNX Runtime's quantizer advises shape pre-processing on the root logger at every
    build; the graph it quantizes here is exported with its shapes, so the advice is noise
    (a user saw a library warning each time the int8 copy was rebuilt)."""
    return "pre-processing" not in record.getMessage()


class SessionNetwork(nn.Module):
    """An ONNX Runtime session behind the nn.Module call the calibration code makes, so the
    int8 network's logits are calibrated by the same functions as a torch network's."""

    def __init__(self, session):
        super().__init__()
        self.session = session

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = np.ascontiguousarray(x.detach().cpu().numpy(), dtype=np.float32)
        return torch.from_numpy(self.session.run(None, {"x": x})[0])


@dataclass
class Int8Model:
    blob: bytes  # the int8 ONNX model
    calibration: dict
    source_sha256: str
    hashed: bool = True  # carries its own content hash (files made before it did: False)


def _content_sha256(model) -> str:
    """SHA-256 of the model as serialised without its content-hash entry: the graph, the
    weights, the source hash and the calibration all count."""
    import onnx

    bare = onnx.ModelProto()
    bare.CopyFrom(model)
    kept = [(p.key, p.value) for p in bare.metadata_props if p.key != CONTENT_KEY]
    del bare.metadata_props[:]
    for key, value in kept:
        bare.metadata_props.add(key=key, value=value)
    return hashlib.sha256(bare.SerializeToString(deterministic=True)).hexdigest()


def write_int8(path: str | os.PathLike, int8: Int8Model) -> None:
    """The int8 model with its source hash, calibration and own content hash in the ONNX
    metadata, atomically."""
    import onnx

    model = onnx.load_from_string(int8.blob)
    del model.metadata_props[:]
    for key, value in ((SOURCE_KEY, int8.source_sha256),
                       (CALIBRATION_KEY, json.dumps(int8.calibration))):
        model.metadata_props.add(key=key, value=value)
    model.metadata_props.add(key=CONTENT_KEY, value=_content_sha256(model))
    atomic_write_bytes(path, model.SerializeToString(deterministic=True))


def read_int8(path: str | os.PathLike) -> Int8Model:
    """The int8 model stored at `path`, checked like a model file: a regular file of at most
    MAX_INT8_BYTES, its content hash intact, calibration fields typed and in range, and a
    graph that maps x [N,1,28,28] to [N,10] logits. BraintankError when it is missing,
    damaged or not braintank's."""
    import onnx
    from google.protobuf.message import DecodeError

    path = Path(path)
    blob = _read_regular(path)
    try:
        model = onnx.load_from_string(blob)
        meta = {p.key: p.value for p in model.metadata_props}
        if CONTENT_KEY in meta and meta[CONTENT_KEY] != _content_sha256(model):
            raise BraintankError(f"{path}: the int8 model was changed after braintank wrote "
                                 "it (its content hash does not match); delete it and it is "
                                 "rebuilt")
        calibration = json.loads(meta[CALIBRATION_KEY])
        source = meta[SOURCE_KEY]
    except (DecodeError, KeyError, ValueError, RuntimeError, RecursionError) as exc:
        raise BraintankError(f"{path}: damaged int8 model ({type(exc).__name__}); delete it "
                             "and it is rebuilt") from None
    if len(source) != 64:
        raise BraintankError(f"{path}: damaged int8 model (bad source hash); delete it and it "
                             "is rebuilt")
    if not isinstance(calibration, dict) or not {"temperature", "threshold"} <= set(calibration):
        raise BraintankError(f"{path}: the int8 model's calibration must hold a temperature "
                             "and a threshold; delete it and it is rebuilt")
    calibration = check_calibration(calibration, str(path))
    _check_graph(model, blob, path)
    return Int8Model(blob, calibration, source, CONTENT_KEY in meta)


def _read_regular(path: Path) -> bytes:
    """The file's bytes; a FIFO, a device (a link to /dev/zero) or an oversized file is
    refused before it is read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BraintankError(f"{path}: no int8 model (it is built by `braintank predict "
                             "--runtime onnx-int8` or training.int8.build_int8)") from None
    except OSError as exc:
        raise BraintankError(f"{path}: cannot read the int8 model "
                             f"({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise BraintankError(f"{path}: the int8 model is not a regular file")
    if info.st_size > MAX_INT8_BYTES:
        raise BraintankError(f"{path}: {info.st_size:,} bytes, more than an int8 model of "
                             f"{MAX_PARAMETERS:,} parameters needs; refused")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BraintankError(f"{path}: cannot read the int8 model "
                             f"({exc.strerror or exc})") from None


def _check_graph(model, blob: bytes, path: Path) -> None:
    """One float input "x" [N,1,28,28], one output [N,10], declared and as run."""

    weights = {init.name for init in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in weights]
    shapes = [[d.dim_value if d.HasField("dim_value") else None
               for d in i.type.tensor_type.shape.dim] for i in [*inputs, *model.graph.output]]
    if len(inputs) != 1 or inputs[0].name != "x" or shapes[0][1:] != [1, IMAGE_SIDE, IMAGE_SIDE]:
        names = ", ".join(i.name[:20] for i in inputs[:3])
        raise BraintankError(f"{path}: the int8 graph must take one input x [N,1,{IMAGE_SIDE},"
                             f"{IMAGE_SIDE}], it takes {names or 'none'}")
    if len(model.graph.output) != 1 or len(shapes[1]) != 2:
        raise BraintankError(f"{path}: the int8 graph must give one output of logits [N,"
                             f"{NUM_CLASSES}]")
    session = onnx_session(blob, str(path))
    try:
        out = session.run(None, {"x": np.zeros((2, 1, IMAGE_SIDE, IMAGE_SIDE), np.float32)})[0]
    except Exception as exc:  # noqa: BLE001 - ONNX Runtime has its own exception types
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise BraintankError(f"{path}: the int8 graph cannot read two blank digits "
                             f"({reason})") from None
    if np.ndim(out) == 2 and len(out) == 2:
        check_classes(int(np.shape(out)[1]), str(path))
    if np.shape(out) != (2, NUM_CLASSES) or not np.isfinite(out).all():
        raise BraintankError(f"{path}: the int8 graph gives {np.shape(out)} for 2 digits, not "
                             f"{NUM_CLASSES} finite logits each")


def current_int8(model_path: str | os.PathLike) -> Int8Model | None:
    """The int8 model beside `model_path` if it was made from this very file, else None (none
    yet, the model file changed since, or made before int8 files carried their own content
    hash: rebuilt like a stale one); a damaged one is an error."""
    path = int8_path(model_path)
    if not path.exists() and not path.is_symlink():
        return None
    int8 = read_int8(path)
    if not int8.hashed and not _shipped(path):
        return None
    return int8 if int8.source_sha256 == file_sha256(model_path) else None


def _shipped(path: Path) -> bool:
    """The int8 copies shipped inside braintank's package (trusted like its code) predate
    content hashes; rebuilding them with build_int8 adds one."""
    from importlib import resources

    shipped = Path(str(resources.files("braintank") / "models")).resolve()
    return path.resolve().parent == shipped
