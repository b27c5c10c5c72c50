"""A classifier ready to read digits on the runtime asked for: the one way `braintank
predict|sheet|eval` and `braintank serve` load a model.

The int8 runtime reads the model's quantized copy, which is made beside the model file from
MNIST training digits; it is built here first when it is missing or was made from another
model file. Building needs `training`, reading needs `inference`: neither may import the
other, so the step that joins them lives above both.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from braintank.inference.classifier import DigitClassifier, model_path
from braintank.inference.runtimes import NEEDS_INT8


def _to_stderr(line: str) -> None:
    print(f"braintank: {line}", file=sys.stderr, flush=True)


def load_classifier(model: str | Path | None, runtime: str = "torch",
                    threshold: float | None = None, data_dir: str | None = None,
                    say: Callable[[str], None] = _to_stderr) -> DigitClassifier:
    """`DigitClassifier.load`, after building the model's int8 copy when `runtime` needs one
    and none was made from this model file yet (`say` tells the user, since it takes a
    while)."""
    if runtime == NEEDS_INT8:
        from braintank.training.int8 import ensure_int8  # ONNX quantization: only when asked

        ensure_int8(model_path(model), data_dir, say=say)
    return DigitClassifier.load(model, runtime=runtime, threshold=threshold)
