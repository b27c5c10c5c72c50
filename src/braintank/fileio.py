"""Atomic file writes: a kill mid-write leaves the old file or the new one, never half of one.

A file written here gets the permissions a plain open() would give it (0666 less the umask),
or, when it replaces a file, that file's permission bits: tempfile.mkstemp's private 0600
is only right for the moment the file is still being written.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from braintank.errors import BraintankError

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows.

    Linux reports it in /proc/self/status. Elsewhere the only way to read it is to set
    another and put it back; that is done under a lock (so two of our writes never see each
    other's temporary value) and the temporary value is 0o077, so a file another thread
    happens to create in that instant is too private, never too open.
    """
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def _final_mode(path: Path) -> int:
    """The replaced file's permission bits, else 0666 less the umask (as open() would)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode) & 0o777
    except OSError:
        return 0o666 & ~current_umask()


def _short(name: str, limit: int = 64) -> str:
    """`name` cut to at most `limit` bytes, so the temporary file beside a final name near
    the 255-byte limit still has a valid name."""
    while len(os.fsencode(name)) > limit:
        name = name[:-1]
    return name


def _special_output(path: Path) -> bool:
    """True when `path` is a FIFO or a character device (a pipe, /dev/null, a terminal):
    written through, as a shell redirection would, since renaming a regular file over it
    would destroy it (as root: a system device). Other files that are not regular (block
    devices, sockets) are refused; a missing path or a regular file is written atomically."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # missing (or unreachable: the atomic write reports why)
        return False
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return True
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):  # a folder: the rename says "is a directory"
        return False
    raise BraintankError(f"{path}: not a regular file (a block device or socket); refusing "
                         f"to write to it")


@contextlib.contextmanager
def _write_through(path: Path, mode: str) -> Iterator[IO]:
    """Open the existing FIFO or device itself, never creating or truncating a file: if it
    was swapped for a regular file since it was looked at, that file is left alone."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BraintankError(f"{path}: changed into a regular file while being opened")
    with os.fdopen(fd, mode) as handle:
        yield handle


def _named_for_user(exc: OSError, prefix: str, path: Path) -> OSError:
    """`exc` naming the user's file where it named a temporary one (`prefix`...`.tmp`)."""
    def temporary(name: object) -> bool:
        name = os.fsdecode(name) if isinstance(name, str | bytes | os.PathLike) else ""
        return name.startswith(prefix) and name.endswith(".tmp")

    if exc.errno is None or not (temporary(exc.filename) or temporary(exc.filename2)):
        return exc
    return OSError(exc.errno, exc.strerror, str(path))  # OSError(errno, ...) keeps the subclass


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside `path`; on success fsync it and rename it over `path`.

    A FIFO or character device at `path` is written directly instead (see _special_output).
    Errors of the temporary file name `path`, the file the user asked for.
    """
    path = Path(path)
    if _special_output(path):
        with _write_through(path, mode) as handle:
            yield handle
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix, tmp = f".{_short(path.name)}.", ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, mode) as handle:
            os.chmod(tmp, _final_mode(path))
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise _named_for_user(exc, os.path.join(path.parent, prefix), path) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    if tmp:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as handle:
        handle.write(text)



def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return Path(os.path.abspath(path))


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether `a` and `b` name one file: the same path once resolved (symlinks and `..`
    followed, so also for files not yet created) or the same existing file (hard links)."""
    a, b = Path(a), Path(b)
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist, so they are not one existing file
        return False


def refuse_overwriting_inputs(out: str | os.PathLike,
                              inputs: Iterable[str | os.PathLike | None], what: str) -> None:
    """Raise BraintankError when the output `out` (named by option `what`) is one of `inputs`
    under any name; called before anything is written. None entries are skipped."""
    for item in inputs:
        if item is not None and same_file(out, item):
            raise BraintankError(f"{what} {out} is the same file as the input {item}; "
                                 f"refusing to overwrite it")


def _nearest_existing(path: Path) -> Path:
    """`path` or the closest of its parents that exists (the root at worst)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def refuse_unwritable_place(out: str | os.PathLike, what: str) -> None:
    """Raise BraintankError when the output `out` (named by option `what`) clearly cannot be
    written: the nearest existing folder above it (atomic_open creates the missing ones) is
    a file, or not writable. Called before long work, so the user does not wait for it."""
    out = Path(out)
    folder = _nearest_existing(Path(os.path.abspath(out)).parent)
    if not folder.is_dir():
        raise BraintankError(f"{what} {out}: cannot write it, {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BraintankError(f"{what} {out}: cannot write it, folder {folder} is not writable")


def make_folder(folder: str | os.PathLike, what: str, create: bool = True) -> Path:
    """The output folder named by option `what`, created with its parents if missing (or,
    with create=False, only checked: a command that must not leave a folder behind when a
    later check fails makes it itself); a one-line BraintankError when it is a file or cannot
    be made. Called before long work."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BraintankError(f"{what} {folder}: exists and is not a folder")
    if not create:
        above = _nearest_existing(Path(os.path.abspath(folder)))
        if not above.is_dir():
            raise BraintankError(f"{what} {folder}: cannot make the folder "
                                 f"({above} is not a folder)")
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BraintankError(f"{what} {folder}: cannot make the folder "
                             f"({exc.strerror or exc})") from None
    return folder


# ---- archives, checked from their directories and headers before anything is unpacked ------

def unpacked_bytes(path: str | os.PathLike) -> int | None:
    """What the zip archive at `path` (PyTorch's file format) unpacks to, from its directory
    alone; None when it is not a readable zip archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None


def check_array_headers(path: str | os.PathLike, max_bytes: int) -> None:
    """Refuse a member that is not an array, or arrays declaring more than `max_bytes`,
    from their headers alone: np.load would allocate what a header declares."""
    import numpy as np

    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                raise BraintankError(f"{path}: {info.filename!r} is not an array")
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                if version not in ((1, 0), (2, 0)):
                    raise BraintankError(f"{path}: unsupported .npy version {version}")
                reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                          else np.lib.format.read_array_header_2_0)
                shape, _, dtype = reader(member)
                if any(size < 0 for size in shape):
                    raise BraintankError(f"{path}: array {info.filename!r} has a negative "
                                         f"size {shape}")
                nbytes = math.prod(shape) * dtype.itemsize
                total += nbytes
                if total > max_bytes or member.tell() + nbytes > info.file_size:
                    raise BraintankError(f"{path}: array {info.filename!r} of shape {shape} "
                                         f"is too large or truncated")
