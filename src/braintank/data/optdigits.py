"""optdigits: handwriting of 43 people who are not MNIST's writers (UCI dataset 80).

Alpaydin & Kaynak (1995) had 43 people fill in preprinted forms, scanned them at 300 dpi and
let NIST's programs cut out each digit, scale it to fill a 32x32 box and threshold it. The
original bitmaps (`optdigits-orig`) come in three files: `tra` (1,934 digits) and `cv` (946)
share 30 writers; `windep` (1,797) holds 13 others and is the writer-independent test.

The format is plain text: a 21-line header (two title lines, a blank line, then
`key = value` lines such as `entwidth = 32` and `ntot = N`), then per digit 32 lines of 32
characters `0`/`1` (1 = ink) and a line holding its label (`windep` ends with a line `EOF`).
Every field is validated; the SHA-256 is taken over the digit blocks (the body), because the
`cv` file's header had to be rebuilt while its body is as published.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from braintank.data.idx import read_raw_bytes
from braintank.data.registry import candidate_dirs, find_file
from braintank.errors import BraintankError

NAME = "optdigits"
SPLITS = ("tra", "cv", "windep")
SIDE = 32
HEADER_LINES = 21
COUNTS = {"tra": 1934, "cv": 946, "windep": 1797}
BODY_SHA256 = {
    "tra": "a5c9e221d249d594e945b031ebd795b9991961a831df8dfc79f1a2829771ca5a",
    "cv": "c01e598d67151f30056f17d4da0696e32c8bd0e2019dd52393c4c3a74dc1cf7f",
    "windep": "47684e4d91925f565007297f6116a0c52f4c9ced9eabe954bcd5511b3572b212",
}
# 33 lines of at most 34 bytes per digit, plus the header: the files are far smaller.
MAX_BYTES = 4_000_000


@dataclass(frozen=True)
class OptDigits:
    """One split: bitmaps uint8 [N, 32, 32] with ink 1 on background 0, labels int64 [N]."""

    bitmaps: np.ndarray
    labels: np.ndarray


def file_stem(split: str) -> str:
    if split not in SPLITS:
        raise BraintankError(f"unknown optdigits split {split!r} (known: {', '.join(SPLITS)})")
    return f"optdigits-orig.{split}"


def _header_values(lines: list[str], name: str) -> dict[str, int]:
    values = {}
    for number, line in enumerate(lines[3:HEADER_LINES], start=4):
        key, sep, value = line.partition("=")
        if not sep:
            raise BraintankError(f"{name}: header line {number} is not `key = value`: "
                                 f"{line[:40]!r}")
        try:
            values[key.strip()] = int(value.strip())
        except ValueError:
            raise BraintankError(f"{name}: header line {number}: {key.strip()!r} is not an "
                                 f"integer ({value.strip()[:20]!r})") from None
    return values


def parse_optdigits(text: str, name: str = "<text>") -> OptDigits:
    """Parse an optdigits-orig file's text; any deviation is a BraintankError naming the line."""
    lines = text.splitlines()
    if len(lines) < HEADER_LINES:
        raise BraintankError(f"{name}: too short for an optdigits header ({len(lines)} lines)")
    header = _header_values(lines, name)
    for key, expected in (("entwidth", SIDE), ("entheight", SIDE)):
        if header.get(key) != expected:
            raise BraintankError(f"{name}: header says {key} = {header.get(key)}, expected "
                                 f"{expected} (not an optdigits-orig file)")
    body = lines[HEADER_LINES:]
    while body and not body[-1].strip():
        body.pop()
    if body and body[-1].strip() == "EOF":  # the published windep file ends with this marker
        body.pop()
    block = SIDE + 1
    if len(body) % block:
        raise BraintankError(f"{name}: body has {len(body)} lines, not a whole number of "
                             f"{block}-line digits (truncated?)")
    count = len(body) // block
    if header.get("ntot") != count:
        raise BraintankError(f"{name}: header says ntot = {header.get('ntot')} but the file "
                             f"holds {count} digits")
    rows = [line for i, line in enumerate(body) if i % block != SIDE]
    label_lines = body[SIDE::block]
    good_rows = [len(line) == SIDE and line.isascii() for line in rows]
    pixels = np.frombuffer("".join(rows).encode("ascii", "replace"), np.uint8) \
        if all(good_rows) else np.zeros(0, np.uint8)
    if not all(good_rows) or not ((pixels == 48) | (pixels == 49)).all():  # ASCII 0 and 1
        bad = next(i for i, line in enumerate(rows)
                   if len(line) != SIDE or set(line) - set("01"))
        number = HEADER_LINES + (bad // SIDE) * block + bad % SIDE + 1
        raise BraintankError(f"{name}: line {number} is not {SIDE} characters of 0/1: "
                             f"{rows[bad][:40]!r}")
    labels = np.zeros(count, dtype=np.int64)
    for index, line in enumerate(label_lines):
        label = line.strip()
        if len(label) != 1 or label not in "0123456789":
            raise BraintankError(f"{name}: line {HEADER_LINES + index * block + SIDE + 1} "
                                 f"should hold a label 0-9, got {label[:20]!r}")
        labels[index] = int(label)
    bitmaps = (pixels.reshape(count, SIDE, SIDE) - 48).astype(np.uint8)
    return OptDigits(bitmaps, labels)


def digits_sha256(body: bytes) -> str:
    """SHA-256 of a file's digit blocks (everything after its header), as published."""
    return hashlib.sha256(body).hexdigest()


def body_sha256(raw: bytes) -> str:
    """`digits_sha256` of the bytes after the header's last newline."""
    body = raw.split(b"\n", HEADER_LINES)[-1] if raw.count(b"\n") >= HEADER_LINES else b""
    return digits_sha256(body)


def find_split_file(split: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The file of `split` in the first folder that has it (an explicit folder is never
    replaced by another one)."""

    stem = file_stem(split)
    for folder in candidate_dirs(NAME, data_dir):
        found = find_file(folder, stem)
        if found is not None:
            return found
    return None


def read_split_file(path: str | os.PathLike, split: str) -> OptDigits:
    """Read, checksum and parse one split's file (gzip or plain text)."""
    raw = read_raw_bytes(path)
    if len(raw) > MAX_BYTES:
        raise BraintankError(f"{path}: {len(raw)} bytes, far more than an optdigits file")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise BraintankError(f"{path}: not an optdigits text file (non-ASCII bytes)") from None
    data = parse_optdigits(text, str(path))
    if body_sha256(raw) != BODY_SHA256[split]:
        raise BraintankError(f"{path}: SHA-256 of the digits does not match the published "
                             f"optdigits {split} file (corrupt, or another file)")
    return data


@functools.lru_cache(maxsize=4)
def _load_cached(split: str, path: Path) -> OptDigits:
    data = read_split_file(path, split)
    data.bitmaps.setflags(write=False)
    data.labels.setflags(write=False)
    return data


def load_optdigits(split: str, data_dir: str | os.PathLike | None = None) -> OptDigits:
    """The verified split `tra`, `cv` or `windep` (read-only arrays)."""
    path = find_split_file(split, data_dir)
    if path is None:
        looked = ", ".join(str(d) for d in candidate_dirs(NAME, data_dir))
        raise BraintankError(f"optdigits {split}: {file_stem(split)}.gz not found (looked in: "
                             f"{looked}); put the UCI optdigits-orig files there or pass "
                             f"--data-dir")
    return _load_cached(split, path.resolve())
