"""The IDX reader/writer: round trips, and corrupt files named in one-line errors."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from braintank.data.idx import encode_idx, parse_idx, read_idx, write_idx
from braintank.errors import BraintankError


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32,
                                   np.float64])
@pytest.mark.parametrize("name", ["a.idx", "a.idx.gz"])
def test_round_trip(tmp_path, dtype, name):
    array = (np.arange(2 * 3 * 4) - 7).astype(dtype).reshape(2, 3, 4)
    write_idx(tmp_path / name, array)
    back = read_idx(tmp_path / name)
    assert back.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(back, array)
    assert (tmp_path / name).read_bytes()[:2] == (b"\x1f\x8b" if name.endswith(".gz") else b"\0\0")


def test_header_layout_matches_mnist_convention():
    blob = encode_idx(np.zeros((2, 28, 28), np.uint8))
    assert blob[:4] == b"\x00\x00\x08\x03"
    assert blob[4:16] == (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2


def test_reads_real_mnist_labels(mnist_dir):
    labels = read_idx(mnist_dir / "t10k-labels-idx1-ubyte.gz")
    assert labels.shape == (10000,)
    np.testing.assert_array_equal(np.bincount(labels),
                                  [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])


@pytest.mark.parametrize("blob, message", [
    (b"\x00\x00", "too short"),
    (b"\x01\x00\x08\x01" + b"\x00\x00\x00\x01" + b"x", "bad magic"),
    (b"\x00\x00\x07\x01" + b"\x00\x00\x00\x01" + b"x", "unknown IDX data type"),
    (b"\x00\x00\x08\x00", "zero dimensions"),
    (b"\x00\x00\x08\x02" + b"\x00\x00\x00\x02", "truncated IDX header"),
    (b"\x00\x00\x08\x01" + b"\x00\x00\x00\x05" + b"abc", "truncated IDX data"),
    (b"\x00\x00\x08\x01" + b"\x00\x00\x00\x01" + b"ab", "trailing bytes"),
])
def test_corrupt_headers(blob, message):
    with pytest.raises(BraintankError, match=message):
        parse_idx(blob, "f.idx")


def test_truncated_gzip_names_file(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(encode_idx(np.zeros(1000, np.uint8)))[:-30])
    with pytest.raises(BraintankError, match="broken.gz: corrupt gzip"):
        read_idx(path)


def test_truncated_real_file_names_file_and_problem(tmp_path, mnist_dir):
    raw = gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(BraintankError, match=r"t10k-images-idx3-ubyte: truncated IDX data"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(BraintankError, match="file not found"):
        read_idx(tmp_path / "nope.idx")
