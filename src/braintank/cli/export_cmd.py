"""`braintank export`: write a trained model as ONNX or TorchScript."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="export a model to ONNX or TorchScript")
    p.add_argument("--model", help="braintank model file, or a shipped model: default (the "
                   "default), student (distilled: faster, a little less sure)")
    p.add_argument("--format", choices=["onnx", "torchscript"], default="onnx",
                   help="onnx (default) or torchscript")
    p.add_argument("--out", required=True, help="output file (.onnx or .pt)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from braintank.inference.classifier import DigitClassifier
    from braintank.modelfile.export import export_model

    clf = DigitClassifier.load(args.model)
    export_model(clf.model, args.format, args.out)
    print(f"wrote {args.out} ({args.format}); input x [N,1,28,28] normalised with mean "
          f"{clf.normalize[0]} std {clf.normalize[1]}, output logits [N,10]; "
          f"calibration temperature {clf.policy.temperature:.4f}")
    return 0
