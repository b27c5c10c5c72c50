"""mfeat: 2,000 digits by Dutch writers (UCI dataset 72, `mfeat-pix`), European conventions.

R. P. W. Duin (Delft) cut 2,000 numerals out of Dutch utility maps, 200 per class, scaled each
to fill its box and kept a 15x16 grid of grey levels 0-6 (the mean ink of a 2x3 window of the
original scan). Its writers draw as many Europeans do: a 4 with a closed, hooked top, a 6
with a flat top, crossed 7s. It is a development set: measure on it and look at its errors;
the default model never trains on it.

The format is plain text: 2,000 lines of 240 integers 0-6 separated by spaces, row by row
(16 rows of 15 pixels), 200 lines per digit in order 0..9; the last line may lack its newline.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import urllib.error
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from braintank.data.download import fetch_url
from braintank.data.idx import read_raw_bytes
from braintank.data.registry import cache_root, candidate_dirs
from braintank.data.registry import find_file as find_in
from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes

NAME = "mfeat"
STEM = "mfeat-pix.txt"
ROWS, COLS = 16, 15
PER_CLASS = 200
COUNT = 10 * PER_CLASS
LEVELS = 6  # grey levels 0..6, 6 darkest
SHA256 = "18aba069947f58f64d4cd7095593149bad1e3b8a6288d9bb2e8461d79f5f2123"
MAX_BYTES = 2_000_000  # the file is 962 kB; nothing is read past this
MIRRORS = (
    "https://archive.ics.uci.edu/static/public/72/multiple+features.zip",
    "https://archive.ics.uci.edu/ml/machine-learning-databases/mfeat/mfeat-pix",
)


@dataclass(frozen=True)
class MFeat:
    """images uint8 [2000, 16, 15], 0 paper .. 6 darkest ink; labels int64 [2000]."""

    images: np.ndarray
    labels: np.ndarray

    def as_ink(self) -> np.ndarray:
        """float32 [N, 16, 15] in [0, 1], ink 1 (the MNIST convention)."""
        return self.images.astype(np.float32) / LEVELS


def parse_mfeat(text: str, name: str = "<text>") -> MFeat:
    """Parse mfeat-pix text; any deviation is a BraintankError naming the line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != COUNT:
        raise BraintankError(f"{name}: {len(lines)} lines, an mfeat-pix file has {COUNT}")
    images = np.zeros((COUNT, ROWS * COLS), np.uint8)
    for number, line in enumerate(lines):
        fields = line.split()
        if len(fields) != ROWS * COLS or not all(f.isdigit() and len(f) == 1 for f in fields):
            raise BraintankError(f"{name}: line {number + 1} is not {ROWS * COLS} integers "
                                 f"0-{LEVELS}: {line[:40]!r}")
        images[number] = [int(f) for f in fields]
    if images.max() > LEVELS:
        bad = int(np.nonzero(images.max(axis=1) > LEVELS)[0][0])
        raise BraintankError(f"{name}: line {bad + 1} holds a grey level above {LEVELS}")
    labels = np.repeat(np.arange(10, dtype=np.int64), PER_CLASS)
    return MFeat(images.reshape(COUNT, ROWS, COLS), labels)


def checked_text(raw: bytes, source: str) -> MFeat:
    """Parse bytes that must be the published file (SHA-256 of the decompressed bytes)."""
    if len(raw) > MAX_BYTES:
        raise BraintankError(f"{source}: {len(raw)} bytes, far more than an mfeat-pix file")
    if hashlib.sha256(raw).hexdigest() != SHA256:
        raise BraintankError(f"{source}: SHA-256 does not match the published mfeat-pix file "
                             "(corrupt, or another file)")
    return parse_mfeat(raw.decode("ascii"), source)


def find_file(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The mfeat-pix file in the first folder that has it (gzip or plain)."""

    for folder in candidate_dirs(NAME, data_dir):
        for stem in (STEM, "mfeat-pix"):
            found = find_in(folder, stem)
            if found is not None:
                return found
    return None


@functools.lru_cache(maxsize=2)
def _load_cached(path: Path) -> MFeat:
    data = checked_text(read_raw_bytes(path, MAX_BYTES), str(path))
    data.images.setflags(write=False)
    data.labels.setflags(write=False)
    return data


def load_mfeat(data_dir: str | os.PathLike | None = None) -> MFeat:
    """The verified mfeat-pix digits (read-only arrays)."""
    path = find_file(data_dir)
    if path is None:
        looked = ", ".join(str(d) for d in candidate_dirs(NAME, data_dir))
        raise BraintankError(f"mfeat: {STEM}.gz not found (looked in: {looked}); run "
                             "`braintank data download --dataset mfeat` or pass --data-dir")
    return _load_cached(path.resolve())


def _fetch_raw(url: str, progress: bool) -> bytes:
    blob = fetch_url(url, progress, max_bytes=MAX_BYTES * 4)
    if not url.endswith(".zip"):
        return blob
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
    except zipfile.BadZipFile:
        raise OSError(f"{url}: not a zip archive") from None
    names = {Path(n).name: n for n in archive.namelist()}
    if "mfeat-pix" not in names:
        raise OSError(f"{url}: mfeat-pix not in the archive")
    member = archive.getinfo(names["mfeat-pix"])
    if member.file_size > MAX_BYTES:
        raise OSError(f"{url}: mfeat-pix is {member.file_size} bytes, too large")
    return archive.read(member)


def download_mfeat(dest: str | os.PathLike | None = None, progress: bool = True,
                   mirrors: tuple[str, ...] = MIRRORS) -> Path:
    """Fetch mfeat-pix, check it and store it as `<dest>/mfeat-pix.txt.gz`."""

    folder = Path(dest) if dest is not None else cache_root() / NAME
    problems = []
    for url in mirrors:
        try:
            raw = _fetch_raw(url, progress)
            checked_text(raw, url)
        except (urllib.error.URLError, OSError, BraintankError, UnicodeDecodeError) as exc:
            problems.append(str(getattr(exc, "reason", exc)))
            continue
        atomic_write_bytes(folder / f"{STEM}.gz", gzip.compress(raw, compresslevel=6, mtime=0))
        return folder
    raise BraintankError(f"mfeat could not be downloaded ({'; '.join(problems)}); put "
                         f"mfeat-pix (gzip or plain) in a folder and pass --data-dir")
