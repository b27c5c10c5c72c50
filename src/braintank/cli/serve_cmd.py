"""`braintank serve`: the web app (draw a digit, upload sheets, review, export) on one port."""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from pathlib import Path

from braintank.cli.runtime import add_runtime_argument
from braintank.cli.sheet_cmd import DEFAULT_DB


def register(subparsers: argparse._SubParsersAction) -> None:
    from braintank.web.config import DEFAULT_MAX_UPLOAD_MB, TOKEN_ENV

    p = subparsers.add_parser(
        "serve", help="web app: draw a digit, upload sheets, review flagged cells, export",
        description="Serve the pages and the JSON API (OpenAPI description at /openapi.json). "
                    "Binds "
                    "127.0.0.1 by default; any other address needs an access token.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default "
                   "127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database, shared with `braintank "
                   f"sheet` (default {DEFAULT_DB})")
    p.add_argument("--uploads", metavar="DIR", help="folder for uploaded scans (default: "
                   "<db name>-uploads beside the database)")
    p.add_argument("--model", help="braintank model file (default: the shipped model)")
    add_runtime_argument(p)
    p.add_argument("--token", help=f"access token asked of every request (default: "
                   f"${TOKEN_ENV}); required when --host is not a loopback address")
    p.add_argument("--max-upload-mb", type=float, default=DEFAULT_MAX_UPLOAD_MB,
                   help=f"largest request body accepted (default {DEFAULT_MAX_UPLOAD_MB})")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import math

    import uvicorn

    from braintank.errors import BraintankError
    from braintank.fileio import make_folder
    from braintank.web.app import create_app
    from braintank.web.config import WebConfig, is_loopback, resolve_token
    from braintank.web.security import LOOPBACK_NAMES

    if not 0 <= args.port <= 65535:
        raise BraintankError(f"--port must be between 0 and 65535, got {args.port}")
    # `not x > 0` also refuses NaN; inf (or 1e400, read as inf) has no byte count
    if not args.max_upload_mb > 0 or not math.isfinite(args.max_upload_mb):
        raise BraintankError(f"--max-upload-mb must be a positive finite number, got "
                             f"{args.max_upload_mb}")
    token = resolve_token(args.token, args.host)
    db = Path(args.db)
    if db.is_dir():
        raise BraintankError(f"--db {args.db}: is a folder, not a results database")
    uploads = Path(args.uploads) if args.uploads else db.with_name(db.stem + "-uploads")
    make_folder(uploads, "--uploads")
    config = WebConfig(db=db.resolve(), uploads=uploads.resolve(),
                       model=Path(args.model) if args.model else None, token=token,
                       runtime=args.runtime,
                       max_upload_bytes=int(args.max_upload_mb * 1_000_000),
                       allowed_hosts=LOOPBACK_NAMES if is_loopback(args.host) else None)
    sock = listen(args.host, args.port)  # a busy port fails before anything is printed
    try:
        app = create_app(config)
    except BaseException:
        sock.close()
        raise
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"braintank serve: http://{shown}:{sock.getsockname()[1]}/ (database {db}"
          + (", token required" if token else "") + ")", file=sys.stderr, flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    return 0


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or one BraintankError saying why not."""
    from braintank.errors import BraintankError

    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise BraintankError(f"--host {host}: not an address of this machine "
                             f"({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise BraintankError(f"--port {port}: address {host}:{port} is already in use "
                                 f"(another server?)") from None
        raise BraintankError(f"--host {host} --port {port}: cannot listen there "
                             f"({exc.strerror or exc})") from None
    return sock
