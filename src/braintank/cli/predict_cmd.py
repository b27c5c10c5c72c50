"""`braintank predict`: read the digit in each image file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "predict", help="read digits from image files",
        description="Read one handwritten digit per image (PNG, JPEG, BMP, TIFF; any size, "
                    "dark ink on light paper or the reverse).")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files to read")
    p.add_argument("--model", help="braintank model file (default: the shipped model)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per image: file, digit, confidence, status, "
                        "probabilities")
    p.add_argument("--runtime", choices=["torch", "onnx"], default="torch",
                   help="run the network with PyTorch (default) or ONNX Runtime")
    p.add_argument("--threshold", type=float,
                   help="confidence below which a digit is sent to review (default: the "
                        "model's calibrated threshold)")
    p.add_argument("--show", metavar="DIR",
                   help="write the 28x28 image the network saw for each input into DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from braintank.errors import BraintankError
    from braintank.inference.classifier import DigitClassifier
    from braintank.inference.images import load_image
    from braintank.inference.preprocess import save_preview, to_mnist

    if args.threshold is not None and not 0 <= args.threshold <= 1:
        raise BraintankError(f"--threshold must be between 0 and 1, got {args.threshold}")
    clf = DigitClassifier.load(args.model, runtime=args.runtime, threshold=args.threshold)
    failures = 0
    for path in args.images:
        try:
            prepared = to_mnist(load_image(path))
        except BraintankError as exc:  # one bad file must not stop the batch
            print(f"braintank: error: {exc}", file=sys.stderr)
            failures += 1
            continue
        result = clf.predict_prepared([path], [prepared])[0]
        if args.show and prepared.image is not None:
            save_preview(prepared.image, Path(args.show) / f"{Path(path).stem}.28x28.png")
        if args.json:
            print(json.dumps(result.to_dict()))
        else:
            digit = "-" if result.digit is None else result.digit
            print(f"{path}\t{digit}\t{result.confidence:.4f}\t{result.status}")
    return 1 if failures else 0
