"""Property tests of the IDX reader: any bytes give an array or a BraintankError, nothing
else; what encode_idx writes parses back unchanged; gzip never decompresses past its cap."""

from __future__ import annotations

import gzip
import io
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from braintank.data.idx import IDX_DTYPES, encode_idx, gunzip, parse_idx, read_raw_bytes
from braintank.errors import BraintankError

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

small_arrays = st.sampled_from(sorted(IDX_DTYPES)).flatmap(
    lambda code: hnp.arrays(IDX_DTYPES[code].newbyteorder("="),
                            hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5)))


def parse_or_refuse(blob: bytes) -> np.ndarray | None:
    """The parsed array (checked to come from the bytes given), or None when refused."""
    try:
        array = parse_idx(blob, "probe")
    except BraintankError as exc:
        assert "\n" not in str(exc)
        return None
    assert isinstance(array, np.ndarray) and array.nbytes <= len(blob)
    return array


@SETTINGS
@given(st.binary(max_size=300))
@example(b"\0\0\x08\x04" + struct.pack(">4I", 65536, 65536, 65536, 65536))  # 2^64 elements
@example(b"\0\0\x0e\x02" + struct.pack(">2I", 2**32 - 1, 2**32 - 1))
@example(b"\0\0\x08\x01" + struct.pack(">I", 0))
@example(b"\0\0\x08\x04" + struct.pack(">4I", 2**24, 2**24, 2**24, 0))  # empty, yet too big
def test_arbitrary_bytes_parse_or_are_refused(blob):
    parse_or_refuse(blob)


@SETTINGS
@given(small_arrays, st.data())
def test_mutated_headers_parse_or_are_refused(array, data):
    blob = bytearray(encode_idx(array))
    header = 4 + 4 * array.ndim
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, header - 1))
        blob[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    tail = data.draw(st.binary(max_size=8))
    parse_or_refuse(bytes(blob[:cut]) + tail if data.draw(st.booleans()) else bytes(blob))


@SETTINGS
@given(small_arrays)
def test_encode_then_parse_round_trips(array):
    back = parse_idx(encode_idx(array), "round trip")
    assert back.shape == array.shape and back.dtype == array.dtype
    np.testing.assert_array_equal(back, array)


@SETTINGS
@given(st.binary(max_size=2000), st.integers(0, 3000))
def test_gzip_is_read_up_to_the_cap_and_no_further(raw, cap):
    packed = io.BytesIO(gzip.compress(raw))
    if len(raw) <= cap:
        assert gunzip(packed, cap, "probe") == raw
    else:
        with pytest.raises(BraintankError, match="more than the expected"):
            gunzip(packed, cap, "probe")


@SETTINGS
@given(st.binary(max_size=300), st.booleans())
def test_arbitrary_files_read_or_are_refused(tmp_path, blob, gzip_magic):
    path = tmp_path / "probe.gz"
    path.write_bytes((b"\x1f\x8b" if gzip_magic else b"") + blob)
    try:
        raw = read_raw_bytes(path, max_size=1000)
    except BraintankError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(raw, bytes) and len(raw) <= 1000
