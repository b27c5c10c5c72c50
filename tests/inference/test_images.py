"""load_image and to_grey: common file flavours read as the same grey; bad input fails clearly."""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from braintank.data.render import render_digit_file
from braintank.errors import BraintankError
from braintank.imaging.images import MAX_PIXELS, load_image, to_grey


@pytest.fixture(scope="module")
def digit() -> np.ndarray:
    """A synthetic 28x28 '7'-like stroke pattern, so these tests need no dataset."""
    image = np.zeros((28, 28), dtype=np.uint8)
    image[5:8, 6:22] = 255
    for row in range(8, 24):
        image[row, 20 - (row - 8) // 2: 23 - (row - 8) // 2] = 255
    return image


def _render_options() -> dict:
    return {"canvas": (90, 120), "scale": 2.0, "noise": 0.01, "seed": 3}


def _expected(digit: np.ndarray) -> np.ndarray:
    from braintank.data.render import render_digit

    return render_digit(digit, **_render_options())


@pytest.mark.parametrize(("name", "colour", "tolerance"), [
    ("d.png", "grey", 0.5 / 255 + 1e-6),
    ("d.bmp", "grey", 0.5 / 255 + 1e-6),
    ("d.tif", "grey16", 0.5 / 65535 + 1e-6),
    ("d.png", "grey16", 0.5 / 65535 + 1e-6),
    ("d.png", "rgb", 2.0 / 255),
    ("d.png", "rgba", 1.5 / 255),
    ("d.tiff", "rgb", 2.0 / 255),
])
def test_lossless_files_read_as_the_rendered_grey(tmp_path, digit, name, colour, tolerance):
    path = render_digit_file(digit, tmp_path / name, colour=colour, **_render_options())
    grey = load_image(path)
    assert grey.dtype == np.float32 and grey.shape == (90, 120)
    assert np.abs(grey - _expected(digit)).max() <= tolerance


def test_jpeg_reads_close_to_the_rendered_grey(tmp_path, digit):
    path = render_digit_file(digit, tmp_path / "d.jpg", colour="rgb", jpeg_quality=90,
                             **_render_options())
    assert np.abs(load_image(path) - _expected(digit)).mean() < 0.01


def test_palette_bilevel_cmyk_and_la_modes(tmp_path, digit):
    grey = _expected(digit)
    pixels = np.round(grey * 255).astype(np.uint8)
    base = Image.fromarray(pixels)
    base.convert("P").save(tmp_path / "p.png")
    base.convert("LA").save(tmp_path / "la.png")
    base.convert("CMYK").save(tmp_path / "c.jpg", quality=95)
    base.point(lambda v: 255 if v > 128 else 0).convert("1").save(tmp_path / "b.png")
    assert np.abs(load_image(tmp_path / "p.png") - grey).max() < 3 / 255
    assert np.abs(load_image(tmp_path / "la.png") - grey).max() < 1 / 255
    assert np.abs(load_image(tmp_path / "c.jpg") - grey).mean() < 0.02
    assert set(np.unique(load_image(tmp_path / "b.png"))) <= {0.0, 1.0}


def test_transparent_palette_pixels_are_white_paper(tmp_path):
    image = Image.new("P", (10, 10), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 5, 10))
    image.info["transparency"] = 0
    image.save(tmp_path / "t.png", transparency=0)
    grey = load_image(tmp_path / "t.png")
    assert np.allclose(grey[:, 5:], 1.0)
    assert np.allclose(grey[:, :5], 0.299, atol=1 / 255)


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.full((20, 40), 255, dtype=np.uint8)
    pixels[:5, :5] = 0  # a dark corner marks where "top-left" went
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs a 90-degree clockwise turn
    Image.fromarray(pixels).save(tmp_path / "o.jpg", exif=exif, quality=95)
    grey = load_image(tmp_path / "o.jpg")
    assert grey.shape == (40, 20)
    assert grey[:5, -5:].mean() < 0.2 and grey[:5, :5].mean() > 0.8


def _png_header(width: int, height: int, idat: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", idat or zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("side", [30000, 12000])
def test_decompression_bomb_headers_are_refused(tmp_path, side):
    assert side * side > MAX_PIXELS
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(side, side))
    with pytest.raises(BraintankError, match=r"bomb.png: .*decompression bomb"):
        load_image(path)


def test_truncated_png_is_refused(tmp_path, digit):
    path = render_digit_file(digit, tmp_path / "whole.png", **_render_options())
    cut = tmp_path / "cut.png"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(BraintankError, match=r"cut.png: truncated or corrupt"):
        load_image(cut)


def test_corrupt_pixel_data_is_refused(tmp_path):
    path = tmp_path / "garbage.png"
    path.write_bytes(_png_header(16, 16, idat=b"not a zlib stream at all"))
    with pytest.raises(BraintankError, match=r"garbage.png: truncated or corrupt"):
        load_image(path)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: None, "file not found"),
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(b""), r"empty file \(0 bytes\)"),
    (lambda p: p.write_text("hello, I am not a picture\n"), "not an image file"),
    (lambda p: p.write_bytes(_png_header(0, 10)), "x.png: "),
])
def test_bad_files_give_one_line_errors_naming_the_file(tmp_path, make, message):
    path = tmp_path / "x.png"
    make(path)
    with pytest.raises(BraintankError, match=message) as caught:
        load_image(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


# Root ignores permission bits, but not a write-only /proc/sys file's (CI runs as root).
WRITE_ONLY_PROC_FILE = "/proc/sys/vm/compact_memory"


def test_unreadable_file_is_refused(tmp_path, digit):
    path = tmp_path / "locked.png"
    if os.name == "posix" and os.geteuid() != 0:
        render_digit_file(digit, path, **_render_options())
        path.chmod(0)
    elif os.path.isfile(WRITE_ONLY_PROC_FILE):
        path.symlink_to(WRITE_ONLY_PROC_FILE)
    if not path.is_file() or os.access(path, os.R_OK):
        pytest.skip("no way to make a file unreadable here")
    with pytest.raises(BraintankError, match="permission denied"):
        load_image(path)


def test_to_grey_scales_each_dtype_to_unit_range():
    assert to_grey(np.array([[0, 255]], dtype=np.uint8)).tolist() == [[0.0, 1.0]]
    assert to_grey(np.array([[0, 65535]], dtype=np.uint16)).tolist() == [[0.0, 1.0]]
    assert to_grey(np.array([[False, True]])).tolist() == [[0.0, 1.0]]
    assert to_grey(np.array([[0.25]], dtype=np.float64)).dtype == np.float32
    assert to_grey(np.zeros((3, 4, 1), dtype=np.uint8)).shape == (3, 4)


def test_to_grey_colour_uses_luma_and_composites_alpha_on_white():
    rgb = np.zeros((1, 3, 3), dtype=np.uint8)
    rgb[0, 0, 0], rgb[0, 1, 1], rgb[0, 2, 2] = 255, 255, 255
    assert np.allclose(to_grey(rgb)[0], [0.299, 0.587, 0.114], atol=1e-6)
    rgba = np.array([[[0, 0, 0, 0], [0, 0, 0, 255], [0, 0, 0, 128]]], dtype=np.uint8)
    assert np.allclose(to_grey(rgba)[0], [1.0, 0.0, 1 - 128 / 255], atol=1e-6)


@pytest.mark.parametrize(("array", "message"), [
    (np.zeros(5), "shape"),
    (np.zeros((4, 4, 2)), "shape"),
    (np.zeros((2, 4, 4, 3)), "shape"),
    (np.zeros((0, 4)), "zero size"),
    (np.array([[0.5, np.nan]]), "NaN"),
    (np.array([[0.0, 255.0]]), r"\[0, 1\]"),
    (np.array([[0, 255]], dtype=np.int64), "dtype int64"),
])
def test_to_grey_rejects_bad_arrays(array, message):
    with pytest.raises(BraintankError, match=message):
        to_grey(array)
