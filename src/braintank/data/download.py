"""Fetch a dataset's files from its public mirrors into the cache, verified by SHA-256."""

from __future__ import annotations

import hashlib
import io
import os
import urllib.error
import urllib.request
from pathlib import Path

from braintank.data.idx import gunzip
from braintank.data.registry import cache_root, get_spec, offline_help
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes
from braintank.progress import progress_bar

CHUNK = 1 << 16
GZIP_SLACK = 1 << 16  # gzip of incompressible bytes is slightly larger than the bytes


def sha256_hex(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def fetch_url(url: str, progress: bool = True, timeout: float = 30.0,
              max_bytes: int | None = None) -> bytes:
    """GET `url` with a progress bar; raises OSError/URLError on network failure, and OSError
    when the body runs past `max_bytes`."""
    received = 0
    with urllib.request.urlopen(url, timeout=timeout) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        chunks = []
        with progress_bar(total=total, unit="B", unit_scale=True, desc=url.rsplit("/", 1)[-1],
                  disable=not progress, leave=False) as bar:
            while chunk := response.read(CHUNK):
                received += len(chunk)
                if max_bytes is not None and received > max_bytes:
                    raise OSError(f"more than the expected {max_bytes:,} bytes")
                chunks.append(chunk)
                bar.update(len(chunk))
    return b"".join(chunks)


def download_file(stem: str, mirrors: tuple[str, ...], expected_sha256: str,
                  expected_size: int, progress: bool = True) -> bytes:
    """The verified gzip bytes of `stem`, from the first mirror that serves a correct copy.

    Neither the download nor its decompression runs past the size the registry expects.
    """
    problems = []
    for mirror in mirrors:
        url = f"{mirror}{stem}.gz"
        try:
            blob = fetch_url(url, progress, max_bytes=expected_size + GZIP_SLACK)
        except (urllib.error.URLError, OSError) as exc:
            problems.append(f"{url}: {getattr(exc, 'reason', exc)}")
            continue
        try:
            raw = gunzip(io.BytesIO(blob), expected_size, url)
        except BraintankError as exc:
            problems.append(str(exc))
            continue
        if sha256_hex(raw) != expected_sha256:
            problems.append(f"{url}: checksum mismatch")
            continue
        return blob
    raise OSError("; ".join(problems))


def download(name: str, dest: str | os.PathLike | None = None, progress: bool = True,
             mirrors: tuple[str, ...] | None = None) -> Path:
    """Download dataset `name` into `dest` (default: the cache) and return that folder.

    `mirrors` replaces the dataset's public mirrors (base URLs ending in "/").
    """
    spec = get_spec(name)
    mirrors = mirrors or spec.mirrors
    folder = Path(dest) if dest is not None else cache_root() / name
    for stem, digest in spec.sha256.items():
        target = folder / f"{stem}.gz"
        if target.is_file():
            continue
        try:
            blob = download_file(stem, mirrors, digest, spec.sizes[stem], progress)
        except OSError as exc:
            raise BraintankError(f"{offline_help(name)} ({exc})") from None
        atomic_write_bytes(target, blob)
    return folder
