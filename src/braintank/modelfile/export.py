"""Exporting a trained network: ONNX (for ONNX Runtime) and TorchScript.

Uses the TorchScript-based ONNX exporter, which needs only the `onnx` package; the batch
dimension is dynamic so one file serves single images and batches.
"""

from __future__ import annotations

import io
import os
import warnings

import torch
from torch import nn

from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes

FORMATS = ("onnx", "torchscript")
ONNX_OPSET = 17


def onnx_bytes(model: nn.Module) -> bytes:
    """The ONNX serialisation of `model` (input "x" [N,1,28,28] -> output "logits" [N,10])."""
    model = model.eval().to("cpu", memory_format=torch.contiguous_format)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), buffer, input_names=["x"],
                          output_names=["logits"], opset_version=ONNX_OPSET,
                          dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
                          dynamo=False)
    return buffer.getvalue()


def onnx_session(blob: bytes, source: str = "model"):
    """An ONNX Runtime CPU session for a serialised model; a damaged one is a one-line error."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = torch.get_num_threads()  # the threads torch is told to use
    try:
        return ort.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ORT raises its own exception types for bad graphs
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise BraintankError(f"{source}: not a usable ONNX model ({reason})") from None


def torchscript_bytes(model: nn.Module) -> bytes:
    model = model.eval().to("cpu", memory_format=torch.contiguous_format)
    scripted = torch.jit.trace(model, torch.zeros(1, 1, 28, 28))
    buffer = io.BytesIO()
    torch.jit.save(scripted, buffer)
    return buffer.getvalue()


def export_model(model: nn.Module, fmt: str, path: str | os.PathLike) -> None:
    """Write `model` to `path` in format `fmt` (one of FORMATS), atomically."""
    blob = onnx_bytes(model) if fmt == "onnx" else torchscript_bytes(model)
    atomic_write_bytes(path, blob)
