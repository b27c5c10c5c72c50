"""The IDX file format MNIST is published in: magic number, dimensions, then raw big-endian data.

Magic: two zero bytes, a dtype code, the number of dimensions. Gzip is detected by its own magic
bytes, not the file name, so renamed files still load.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes

# IDX dtype code -> numpy dtype (IDX data is big-endian).
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
# For callers without an expected size: far above any 28x28 dataset's file (MNIST's largest
# is 47 MB), far below what would exhaust memory.
DEFAULT_MAX_BYTES = 256 << 20


def read_raw_bytes(path: str | os.PathLike, max_size: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, decompressed when it is gzip; errors name the file.

    Nothing past `max_size` decompressed bytes is read: a file (or gzip stream) holding more
    is refused, so a small gzip bomb cannot fill memory. Callers that know the size to
    expect (the dataset registry does) pass it.
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            if handle.read(2) == _GZIP_MAGIC:
                handle.seek(0)
                return gunzip(handle, max_size, str(path))
            size = os.fstat(handle.fileno()).st_size
            if size > max_size:
                raise BraintankError(f"{path}: {size:,} bytes, more than the expected "
                                     f"{max_size:,} bytes")
            handle.seek(0)
            return handle.read()
    except FileNotFoundError:
        raise BraintankError(f"{path}: file not found") from None
    except OSError as exc:
        raise BraintankError(f"{path}: cannot read ({exc.strerror or exc})") from None


def gunzip(stream: BinaryIO, max_size: int, name: str) -> bytes:
    """Decompress a gzip stream, reading no further than `max_size` decompressed bytes."""
    try:
        with gzip.GzipFile(fileobj=stream) as archive:
            blob = archive.read(max_size + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise BraintankError(f"{name}: corrupt gzip data ({exc})") from None
    if len(blob) > max_size:
        raise BraintankError(f"{name}: decompresses to more than the expected {max_size:,} "
                             f"bytes (refused without reading the rest)")
    return blob


def parse_idx(blob: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse IDX bytes into an array (native byte order), validating every header field."""
    if len(blob) < 4:
        raise BraintankError(f"{name}: too short for an IDX header ({len(blob)} bytes)")
    zero, code, ndim = struct.unpack(">HBB", blob[:4])
    if zero != 0:
        raise BraintankError(f"{name}: not an IDX file (bad magic number {blob[:4].hex()})")
    if code not in IDX_DTYPES:
        raise BraintankError(f"{name}: unknown IDX data type code 0x{code:02x}")
    if ndim == 0:
        raise BraintankError(f"{name}: IDX file declares zero dimensions")
    header_len = 4 + 4 * ndim
    if len(blob) < header_len:
        raise BraintankError(f"{name}: truncated IDX header (needs {header_len} bytes)")
    shape = struct.unpack(f">{ndim}I", blob[4:header_len])
    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: int64 would wrap
    if math.prod(max(size, 1) for size in shape) * dtype.itemsize > np.iinfo(np.intp).max:
        # NumPy refuses such a shape even when a zero dimension leaves it empty
        raise BraintankError(f"{name}: IDX dimensions {shape} are too large for an array")
    actual = len(blob) - header_len
    if actual < expected:
        raise BraintankError(
            f"{name}: truncated IDX data: dimensions {shape} need {expected} bytes, found {actual}"
        )
    if actual > expected:
        raise BraintankError(
            f"{name}: {actual - expected} unexpected trailing bytes after IDX data {shape}"
        )
    array = np.frombuffer(blob, dtype=dtype, offset=header_len).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike, max_size: int = DEFAULT_MAX_BYTES) -> np.ndarray:
    """Read an IDX file (gzip or raw) of at most `max_size` bytes once decompressed."""
    return parse_idx(read_raw_bytes(path, max_size), str(path))


def encode_idx(array: np.ndarray) -> bytes:
    """IDX bytes for an array of a supported dtype."""
    array = np.asarray(array)
    for code, dtype in IDX_DTYPES.items():  # noqa: B007 (code is used after the break)
        if array.dtype.kind == dtype.kind and array.dtype.itemsize == dtype.itemsize:
            break
    else:
        raise BraintankError(f"IDX cannot store dtype {array.dtype}")
    if array.ndim == 0 or array.ndim > 255:
        raise BraintankError(f"IDX cannot store an array with {array.ndim} dimensions")
    header = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=dtype).tobytes()


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool | None = None) -> None:
    """Write an IDX file atomically; gzip when asked or when the name ends in .gz."""
    path = Path(path)
    blob = encode_idx(array)
    if compress if compress is not None else path.suffix == ".gz":
        blob = gzip.compress(blob, mtime=0)
    atomic_write_bytes(path, blob)
