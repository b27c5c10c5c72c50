"""Images from outside, whatever their bytes: a grey picture in [0, 1] or one BraintankError.

Arbitrary bytes, valid PNG/JPEG/TIFF/BMP/GIF files with bytes flipped or cut off, and
arbitrary arrays handed to the Python API all go through the one loader and the one
preprocessing path; nothing else may come out (no Pillow or OpenCV exception, no NaN).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from braintank.errors import BraintankError
from braintank.imaging.images import load_image, to_grey
from braintank.imaging.preprocess import to_mnist

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _valid(fmt: str) -> bytes:
    rng = np.random.default_rng(0)
    picture = (rng.random((40, 30)) * 255).astype(np.uint8)
    picture[10:30, 12:16] = 0  # a stroke
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format=fmt)
    return buffer.getvalue()


VALID = {fmt: _valid(fmt) for fmt in ("PNG", "JPEG", "TIFF", "BMP", "GIF")}


def _read(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scan.img"
        path.write_bytes(data)
        try:
            grey = load_image(path)
        except BraintankError as exc:
            assert "\n" not in str(exc)
            return
    assert grey.ndim == 2 and grey.dtype == np.float32
    assert np.isfinite(grey).all() and grey.min() >= 0 and grey.max() <= 1
    _prepare(grey)


def _prepare(grey: np.ndarray) -> None:
    try:
        result = to_mnist(grey)
    except BraintankError:
        return
    if result.image is not None:
        assert result.image.shape == (28, 28) and np.isfinite(result.image).all()
        assert result.image.min() >= 0 and result.image.max() <= 1


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_an_image_or_one_error(data):
    _read(data)


@SETTINGS
@given(st.sampled_from(sorted(VALID)), st.data())
def test_damaged_image_files_are_an_image_or_one_error(fmt, data):
    blob = bytearray(VALID[fmt])
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(blob)))
    _read(bytes(blob[:cut]))


@SETTINGS
@given(hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.uint16, np.float32, np.float64, np.bool_, np.int32]),
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=48)))
def test_arbitrary_arrays_are_an_image_or_one_error(array):
    try:
        grey = to_grey(array)
    except BraintankError as exc:
        assert "\n" not in str(exc)
        return
    assert grey.ndim == 2 and np.isfinite(grey).all()
    _prepare(grey)
