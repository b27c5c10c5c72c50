"""Entry point of the `braintank` command.

Each sub-command lives in its own module exposing `register(subparsers)`, which adds its parser
and sets `func` (called with the parsed args; returns an exit code). User errors are
`BraintankError`s and print as one line; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from braintank import __version__
from braintank.cli.printable import printable
from braintank.errors import BraintankError

# Third-party packages an install extra brings (`pip install 'braintank[web]'`), by the name
# a missing one is imported as: a command that needs one says which extra, in one line.
EXTRA_OF_PACKAGE = {"fastapi": "web", "uvicorn": "web", "starlette": "web", "multipart": "web",
                    "python_multipart": "web", "anyio": "web", "gymnasium": "rl", "Box2D": "rl"}

# Sub-command modules, imported lazily so `braintank --help` does not load torch.
COMMAND_MODULES = (
    "braintank.cli.data_cmd",
    "braintank.cli.train_cmd",
    "braintank.cli.eval_cmd",
    "braintank.cli.predict_cmd",
    "braintank.cli.calibrate_cmd",
    "braintank.cli.ensemble_cmd",
    "braintank.cli.export_cmd",
    "braintank.cli.sheet_cmd",
    "braintank.cli.finetune_cmd",
    "braintank.cli.serve_cmd",
    "braintank.cli.rl_cmd",
    "braintank.cli.experiment_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="braintank",
        description="Neural networks that read handwritten digits.",
    )
    parser.add_argument("--version", action="version", version=f"braintank {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show full tracebacks instead of one-line errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Library warnings (a damaged TIFF tag, say) as one line, not Python's two with source."""
    print(f"braintank: warning: {printable(str(message))}", file=file or sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if not args.debug:
        warnings.showwarning = _one_line_warning
    try:
        return int(args.func(args) or 0)
    except BraintankError as exc:
        if args.debug:
            raise
        print(f"braintank: error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except ModuleNotFoundError as exc:
        extra = EXTRA_OF_PACKAGE.get((exc.name or "").split(".")[0])
        if extra is None or args.debug:
            raise
        print(f"braintank: error: `braintank {args.command}` needs the {extra} extra "
              f"({exc.name} is not installed): pip install 'braintank[{extra}]'",
              file=sys.stderr)
        return 1
    except OSError as exc:  # disk full, permission denied, ...: the OS's message says it best
        if args.debug:
            raise
        print(f"braintank: error: {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("braintank: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
