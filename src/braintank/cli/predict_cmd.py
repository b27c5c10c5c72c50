"""`braintank predict`: read the digit in each image file."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from braintank.cli.printable import printable
from braintank.cli.runtime import add_runtime_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "predict", help="read digits from image files",
        description="Read one handwritten digit per image (PNG, JPEG, BMP, TIFF; any size, "
                    "dark ink on light paper or the reverse).")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files to read")
    p.add_argument("--model", help="braintank model file, or a shipped model: default (the "
                   "default), student (distilled: faster, a little less sure)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per image: file, digit, confidence, status, "
                        "probabilities, reason (why it goes to review)")
    add_runtime_argument(p)
    p.add_argument("--threshold", type=float,
                   help="confidence below which a digit is sent to review (default: the "
                        "model's calibrated threshold)")
    p.add_argument("--show", metavar="DIR",
                   help="write the 28x28 image the network saw for each input into DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from braintank.cli.runtime import load_classifier
    from braintank.errors import BraintankError

    if args.threshold is not None and not 0 <= args.threshold <= 1:
        raise BraintankError(f"--threshold must be between 0 and 1, got {args.threshold}")
    show = _preview_folder(args.show) if args.show is not None else None
    clf = load_classifier(args.model, args.runtime, args.threshold)
    failures = 0
    for path in args.images:
        try:  # one bad file must not stop the batch
            prepared = _prepare(path)
            result = clf.predict_prepared([path], [prepared])[0]
            if args.json:
                print(json.dumps(result.to_dict()))
            else:
                digit = "-" if result.digit is None else result.digit
                reason = printable(result.reason) if result.reason else "-"
                print(f"{printable(path)}\t{digit}\t{result.confidence:.4f}\t{result.status}"
                      f"\t{reason}")
            if show is not None and prepared.image is not None:
                _write_preview(prepared.image, show, path)
        except BraintankError as exc:
            print(f"braintank: error: {printable(str(exc))}", file=sys.stderr)
            failures += 1
    return 1 if failures else 0


def _preview_folder(show: str) -> Path:
    """The --show folder, made now: a bad one is refused before any image is read."""
    from braintank.fileio import make_folder

    return make_folder(show, "--show")


def _prepare(path: str):
    """The image at `path` through the one preprocessing path; the decoder's warnings (a
    damaged TIFF tag, say) become one line each on stderr instead of Python's two."""
    from braintank.imaging.images import load_image
    from braintank.imaging.preprocess import to_mnist

    with warnings.catch_warnings(record=True) as caught:
        prepared = to_mnist(load_image(path))
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"braintank: warning: {printable(path)}: {printable(message)}", file=sys.stderr)
    return prepared


def _write_preview(image, folder: Path, path: str) -> None:
    from braintank.errors import BraintankError
    from braintank.imaging.preprocess import save_preview

    target = folder / f"{Path(path).stem}.28x28.png"
    try:
        save_preview(image, target)
    except OSError as exc:
        raise BraintankError(f"{target}: cannot write the preview "
                             f"({exc.strerror or exc})") from None
