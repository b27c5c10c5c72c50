"""`--runtime`: which engine runs the network, for every command that reads digits."""

from __future__ import annotations

import argparse
import sys

# Spelled out here (not imported from the classifier) so `braintank --help` loads no torch.
RUNTIME_CHOICES = ("torch", "onnx", "onnx-int8")


def add_runtime_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runtime", choices=RUNTIME_CHOICES, default="torch",
                   help="run the network with PyTorch (default), ONNX Runtime, or ONNX Runtime "
                        "on its int8 copy (fastest on a CPU; made beside the model file on "
                        "first use, from MNIST training digits)")


def load_classifier(model: str | None, runtime: str = "torch", threshold: float | None = None,
                    data_dir: str | None = None):
    """`DigitClassifier.load`, first building the model's int8 copy when `runtime` is
    onnx-int8 and none was made from this model file yet."""
    from braintank.inference.classifier import DigitClassifier, model_path

    if runtime == "onnx-int8":
        from braintank.cli.printable import printable
        from braintank.training.int8 import ensure_int8

        ensure_int8(model_path(model), data_dir,
                    say=lambda line: print(f"braintank: {printable(line)}", file=sys.stderr))
    return DigitClassifier.load(model, runtime=runtime, threshold=threshold)
