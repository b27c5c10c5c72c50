"""`--runtime`: which engine runs the network, for every command that reads digits."""

from __future__ import annotations

import argparse
import sys

from braintank.inference.runtimes import RUNTIMES


def add_runtime_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runtime", choices=RUNTIMES, default="torch",
                   help="run the network with PyTorch (default), ONNX Runtime, or ONNX Runtime "
                        "on its int8 copy (fastest on a CPU; made beside the model file on "
                        "first use, from MNIST training digits)")


def load_classifier(model: str | None, runtime: str = "torch", threshold: float | None = None,
                    data_dir: str | None = None):
    """`serving.load_classifier`, telling the user on stderr (one printable line each)."""
    from braintank.cli.printable import printable
    from braintank.serving import load_classifier as load

    return load(model, runtime, threshold, data_dir,
                say=lambda line: print(f"braintank: {printable(line)}", file=sys.stderr))
