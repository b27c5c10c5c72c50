""".Z decompression (against files made by ncompress 4.2.4) and the optdigits download path.

The fixtures in fixtures/ were written by the real `compress` (-b 10, which clears its table
once, and -b 16) from `lcg_text()` below. A compress-compatible encoder, checked byte for byte
against the -b 16 fixture, then makes .Z copies of the real optdigits files for a local mirror.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from braintank.data.optdigits import SPLITS, file_stem, load_optdigits
from braintank.data.optdigits_download import download_optdigits
from braintank.data.unix_compress import decompress
from braintank.errors import BraintankError

FIXTURES = Path(__file__).parent / "fixtures"


def lcg_text(n: int, alphabet: bytes, seed: int) -> bytes:
    out, state = bytearray(), seed
    for _ in range(n):
        state = (1103515245 * state + 12345) % 2**31
        out.append(alphabet[(state >> 16) % len(alphabet)])
    return bytes(out)


FIXTURE_TEXT = lcg_text(30000, b"01 \n0101", 1) + lcg_text(30000, bytes(range(40, 120)), 2)


def lzw_encode(data: bytes, max_bits: int = 16) -> bytes:
    """What `compress -b max_bits` writes, for inputs that never fill its table."""
    out, acc, acc_bits = bytearray(), 0, 0
    n_bits, max_code, free, group_start = 9, 511, 257, 0
    table: dict[tuple[int, int], int] = {}

    def write(code: int, bits: int) -> None:
        nonlocal acc, acc_bits
        acc |= code << acc_bits
        acc_bits += bits
        while acc_bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            acc_bits -= 8

    def emit(code: int) -> None:
        nonlocal n_bits, max_code, group_start
        write(code, n_bits)
        if free > max_code:  # compress pads the group and widens its codes
            position = len(out) * 8 + acc_bits
            group = n_bits * 8
            padded = group_start + -(-(position - group_start) // group) * group
            for _ in range(padded - position):
                write(0, 1)
            group_start = padded
            n_bits += 1
            max_code = (1 << n_bits) - 1 if n_bits < max_bits else 1 << max_bits

    current = data[0]
    for byte in data[1:]:
        key = (current, byte)
        if key in table:
            current = table[key]
            continue
        emit(current)
        if free < 1 << max_bits:
            table[key] = free
            free += 1
        current = byte
    emit(current)
    if acc_bits:
        out.append(acc & 0xFF)
    return bytes([0x1F, 0x9D, 0x80 | max_bits]) + bytes(out)


@pytest.mark.parametrize("name", ["lcg-b10.Z", "lcg-b16.Z"])
def test_decompress_matches_real_compress_output(name):
    assert decompress((FIXTURES / name).read_bytes(), 10**6) == FIXTURE_TEXT


def test_encoder_writes_exactly_what_compress_writes():
    assert lzw_encode(FIXTURE_TEXT) == (FIXTURES / "lcg-b16.Z").read_bytes()


def test_damaged_data_is_refused():
    good = (FIXTURES / "lcg-b16.Z").read_bytes()
    with pytest.raises(BraintankError, match="not Unix compress"):
        decompress(b"\x1f\x8b" + good[2:], 10**6)
    with pytest.raises(BraintankError, match="17-bit"):
        decompress(good[:2] + bytes([0x91]) + good[3:], 10**6)
    with pytest.raises(BraintankError, match="more than"):
        decompress(good, 1000)  # a bomb stops at the limit, not after it
    with pytest.raises(BraintankError, match="corrupt"):
        decompress(good[:3] + b"\xff\xff" + good[5:], 10**6)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_are_refused(tail):
    try:
        out = decompress(b"\x1f\x9d\x90" + tail, 10**5)
    except BraintankError:
        return
    assert len(out) <= 10**5


@pytest.fixture(scope="module")
def z_files(mnist_dir) -> dict[str, bytes]:
    """.Z copies of the real optdigits files; cv with a damaged header to be rebuilt."""
    folder = mnist_dir.parent / "optdigits"
    if not folder.is_dir():
        pytest.skip("optdigits not found beside mnist")
    raw = {s: gzip.decompress((folder / f"{file_stem(s)}.gz").read_bytes()) for s in SPLITS}
    lines = raw["cv"].split(b"\n")
    raw["cv"] = b"\n".join(lines[:5] + lines[21:])  # a header missing most of its fields
    return {split: lzw_encode(data) for split, data in raw.items()}


@pytest.fixture()
def mirror(tmp_path, z_files, serve_folder):
    root = tmp_path / "www"
    (root / "folder").mkdir(parents=True)
    (root / "bad").mkdir()
    for split, data in z_files.items():
        (root / "folder" / f"{file_stem(split)}.Z").write_bytes(data)
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0x40
        (root / "bad" / f"{file_stem(split)}.Z").write_bytes(bytes(flipped))
    with zipfile.ZipFile(root / "uci.zip", "w") as archive:
        for split, data in z_files.items():
            archive.writestr(f"{file_stem(split)}.Z", data)
        archive.writestr("optdigits.tra", "8x8 features, not used")
    return serve_folder(root)


@pytest.mark.parametrize("good", ["uci.zip", "folder/"])
def test_download_skips_bad_mirrors_and_stores_readable_files(tmp_path, mirror, mnist_dir,
                                                              good):
    mirrors = (f"{mirror}/missing/", f"{mirror}/bad/", f"{mirror}/{good}")
    folder = download_optdigits(tmp_path / "cache", progress=False, mirrors=mirrors)
    for split in SPLITS:
        ours = load_optdigits(split, folder)
        shared = load_optdigits(split, mnist_dir.parent)
        assert np.array_equal(ours.bitmaps, shared.bitmaps)
        assert np.array_equal(ours.labels, shared.labels)


def test_download_with_no_good_mirror_writes_nothing(tmp_path, mirror):
    with pytest.raises(BraintankError, match="could not be downloaded"):
        download_optdigits(tmp_path / "dl", progress=False,
                           mirrors=(f"{mirror}/missing/", f"{mirror}/bad/"))
    assert not (tmp_path / "dl").exists() or not list((tmp_path / "dl").iterdir())
