"""What one server is set up with: where its data lives, which model reads, its limits."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from braintank.errors import BraintankError

TOKEN_ENV = "BRAINTANK_TOKEN"
# A phone photo of a sheet is a few MB, a scanner's PDF of a batch some tens.
DEFAULT_MAX_UPLOAD_MB = 50
# A drawing or a photo of one digit; larger images are refused before decoding.
MAX_PREDICT_PIXELS = 25_000_000
MAX_PREDICT_FILES = 64
# Predictions decoding at once: a 25 MP image costs about 0.45 GB while it is decoded and
# prepared, and nothing else bounded how many ran together (16 in parallel: 8.1 GB). Later
# requests wait with their uploads still spooled (on disk beyond 1 MB); past the queue they
# are told to come back (503).
PREDICT_SLOTS = 2
PREDICT_QUEUE = 64
MAX_SHEET_FILES = 200
MIN_TOKEN_LENGTH = 16
# Distinct characters a token must use: 16 of one letter (accepted before) is guessed at
# once; any generated token (hex, base64, words) has far more.
MIN_TOKEN_SYMBOLS = 8


@dataclass(frozen=True)
class WebConfig:
    db: Path
    uploads: Path                 # where uploaded scans are kept (names made by the server)
    model: Path | None = None     # None: the shipped model
    token: str | None = None      # None: no token asked (only allowed on loopback)
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1_000_000
    allowed_hosts: tuple[str, ...] | None = None  # Host names served (None: any)
    runs: Path | None = None      # finetune runs (None: <db name>-runs beside the database)
    runtime: str = "torch"        # what runs the network: torch, onnx or onnx-int8


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1, localhost (the names nobody else on the network can reach)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_token(option: str | None, host: str) -> str | None:
    """The token in force: --token, else $BRAINTANK_TOKEN; binding beyond loopback without
    one is refused, so nobody on the network reads or changes the scores unasked."""
    token = option if option is not None else (os.environ.get(TOKEN_ENV) or None)
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise BraintankError(f"--token (or ${TOKEN_ENV}) must be at least {MIN_TOKEN_LENGTH} "
                             f"characters, got {len(token)}")
    if token is not None and len(set(token)) < MIN_TOKEN_SYMBOLS:
        raise BraintankError(f"--token (or ${TOKEN_ENV}) must use at least "
                             f"{MIN_TOKEN_SYMBOLS} different characters, got "
                             f"{len(set(token))} (make one with: python -c 'import secrets; "
                             f"print(secrets.token_urlsafe(24))')")
    if token is not None and not all(c.isprintable() and not c.isspace() for c in token):
        raise BraintankError(f"--token (or ${TOKEN_ENV}) must be printable characters "
                             f"without spaces (it travels in an HTTP header)")
    if token is None and not is_loopback(host):
        raise BraintankError(f"--host {host}: binding to an address other than 127.0.0.1 "
                             f"needs an access token (--token or ${TOKEN_ENV})")
    return token
