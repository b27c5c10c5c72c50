"""Fetch optdigits-orig from UCI: its .Z files, decompressed, checked and stored as gzip.

UCI serves the original bitmaps as Unix-compress files, singly in the old
`machine-learning-databases/optdigits/` folder and together inside the dataset's zip. The
digits (the body after the header) are checked against their published SHA-256; a header
that does not parse is rebuilt from the body, as was done for the `cv` file of this project's
own copy, so every stored file reads back through `parse_optdigits`.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import urllib.error
import zipfile
from pathlib import Path

from braintank.data.download import fetch_url
from braintank.data.optdigits import (
    BODY_SHA256,
    HEADER_LINES,
    MAX_BYTES,
    NAME,
    SIDE,
    SPLITS,
    digits_sha256,
    file_stem,
    parse_optdigits,
)
from braintank.data.registry import cache_root
from braintank.data.unix_compress import decompress
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes

MIRRORS = (
    "https://archive.ics.uci.edu/static/public/80/optical+recognition+of+handwritten+digits.zip",
    "https://archive.ics.uci.edu/ml/machine-learning-databases/optdigits/",
)
TITLES = {"tra": "Training file", "cv": "Cross-validation file (header rebuilt; body as "
          "published)", "windep": "Writer-independent test file"}
_BITMAP_LINE = re.compile(rb"^[01]{%d}\r?$" % SIDE, re.MULTILINE)


def canonical_header(split: str, count: int) -> bytes:
    """The 21-line header of an optdigits-orig file holding `count` digits."""
    keys = [("entwidth", SIDE), ("entheight", SIDE), ("depth", 1), ("density", 300),
            ("whitepix", 0), ("ntot", count), ("ndigit", count)] + \
        [(key, 0) for key in ("nlower", "nupper", "nparag", "firstdigit", "lastdigit",
                              "firstlower", "lastlower", "firstupper", "lastupper",
                              "firstparag", "lastparag")]
    lines = ["BU handwritten digit database: E Alpaydin C Kaynak 1995", TITLES[split], ""]
    lines += [f"{key} = {value}" for key, value in keys]
    assert len(lines) == HEADER_LINES
    return ("\n".join(lines) + "\n").encode("ascii")


def checked_file(raw: bytes, split: str, source: str) -> bytes:
    """The split's file as stored: the published body, under its own header if that parses."""
    first = _BITMAP_LINE.search(raw)
    if first is None:
        raise BraintankError(f"{source}: no digit bitmaps in the file")
    header, body = raw[:first.start()], raw[first.start():]
    if digits_sha256(body) != BODY_SHA256[split]:
        raise BraintankError(f"{source}: checksum mismatch (not the published optdigits "
                             f"{split} digits)")
    if header.count(b"\n") == HEADER_LINES:
        try:
            parse_optdigits(raw.decode("ascii"), source)
            return raw
        except (BraintankError, UnicodeDecodeError):
            pass
    fixed = canonical_header(split, _count_digits(body)) + body
    parse_optdigits(fixed.decode("ascii"), source)  # refuse rather than store a bad file
    return fixed


def _count_digits(body: bytes) -> int:
    lines = [line for line in body.split(b"\n") if line.strip() and line.strip() != b"EOF"]
    return len(lines) // (SIDE + 1)


def _members_from(url: str, progress: bool) -> dict[str, bytes]:
    """split -> .Z bytes fetched from one mirror (a zip, or a folder of .Z files)."""
    if url.endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(fetch_url(url, progress)))
        except zipfile.BadZipFile:
            raise OSError(f"{url}: not a zip archive") from None
        names = {Path(n).name: n for n in archive.namelist()}
        found = {}
        for split in SPLITS:
            member = names.get(f"{file_stem(split)}.Z")
            if member is None:
                raise OSError(f"{url}: {file_stem(split)}.Z not in the archive")
            found[split] = archive.read(member)
        return found
    return {split: fetch_url(f"{url}{file_stem(split)}.Z", progress) for split in SPLITS}


def download_optdigits(dest: str | os.PathLike | None = None, progress: bool = True,
                       mirrors: tuple[str, ...] = MIRRORS) -> Path:
    """Fetch, check and store the three files as `<dest>/optdigits-orig.<split>.gz`."""

    folder = Path(dest) if dest is not None else cache_root() / NAME
    problems = []
    for url in mirrors:
        try:
            members = _members_from(url, progress)
            files = {split: checked_file(decompress(members[split], MAX_BYTES, url), split, url)
                     for split in SPLITS}
        except (urllib.error.URLError, OSError, BraintankError) as exc:
            problems.append(str(getattr(exc, "reason", exc)))
            continue
        for split, raw in files.items():
            # Level 6: level 9 takes seconds longer on these repetitive files for 1 % less.
            packed = gzip.compress(raw, compresslevel=6, mtime=0)
            atomic_write_bytes(folder / f"{file_stem(split)}.gz", packed)
        return folder
    raise BraintankError(f"optdigits could not be downloaded ({'; '.join(problems)}); put "
                         f"optdigits-orig.tra, .cv and .windep (gzip or plain) in a folder and "
                         f"pass --data-dir")
