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
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from braintank.data.views import view_stack
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes
from braintank.inference.export import onnx_bytes

INT8_SUFFIX = ".int8.onnx"
SOURCE_KEY = "braintank.source_sha256"
CALIBRATION_KEY = "braintank.calibration"
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
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "int8.onnx"
        quantize_static(float_model, out, Batches(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, nodes_to_exclude=first_conv)
        return out.read_bytes()


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


def write_int8(path: str | os.PathLike, int8: Int8Model) -> None:
    """The int8 model with its source hash and calibration in the ONNX metadata, atomically."""
    import onnx

    model = onnx.load_from_string(int8.blob)
    del model.metadata_props[:]
    for key, value in ((SOURCE_KEY, int8.source_sha256),
                       (CALIBRATION_KEY, json.dumps(int8.calibration))):
        model.metadata_props.add(key=key, value=value)
    atomic_write_bytes(path, model.SerializeToString())


def read_int8(path: str | os.PathLike) -> Int8Model:
    """The int8 model stored at `path`; BraintankError when it is missing or damaged."""
    import onnx
    from google.protobuf.message import DecodeError

    path = Path(path)
    try:
        blob = path.read_bytes()
        model = onnx.load_from_string(blob)
        meta = {p.key: p.value for p in model.metadata_props}
        calibration = json.loads(meta[CALIBRATION_KEY])
        source = meta[SOURCE_KEY]
    except FileNotFoundError:
        raise BraintankError(f"{path}: no int8 model (it is built by `braintank predict "
                             "--runtime onnx-int8` or training.int8.build_int8)") from None
    except OSError as exc:
        raise BraintankError(f"{path}: cannot read the int8 model "
                             f"({exc.strerror or exc})") from None
    except (DecodeError, KeyError, ValueError, RuntimeError) as exc:
        raise BraintankError(f"{path}: damaged int8 model ({type(exc).__name__}); delete it "
                             "and it is rebuilt") from None
    if not isinstance(calibration, dict) or not isinstance(source, str):
        raise BraintankError(f"{path}: damaged int8 model (bad metadata); delete it and it "
                             "is rebuilt")
    return Int8Model(blob, calibration, source)


def current_int8(model_path: str | os.PathLike) -> Int8Model | None:
    """The int8 model beside `model_path` if it was made from this very file, else None
    (none yet, or the model file changed since); a damaged one is an error."""
    path = int8_path(model_path)
    if not path.exists():
        return None
    int8 = read_int8(path)
    return int8 if int8.source_sha256 == file_sha256(model_path) else None
