"""Upload size and pixel limits: refused before decoding, with 413 and a clear message."""

from __future__ import annotations

import io
import zlib

import numpy as np
from PIL import Image

from .helpers import png_bytes


def test_body_over_the_limit_is_413(make_client, one_png):
    client = make_client(max_upload_bytes=2_000)
    big = png_bytes(np.random.default_rng(0).integers(0, 255, (80, 80)))
    assert len(big) > 2_000
    answer = client.post("/api/predict", files=[("images", ("big.png", big, "image/png"))])
    assert answer.status_code == 413
    assert "upload too large" in answer.json()["error"]
    assert client.post("/api/predict",
                       files=[("images", ("one.png", one_png, "image/png"))]).status_code == 200


def test_streamed_body_without_length_is_counted(make_client):
    client = make_client(max_upload_bytes=1_000)

    def chunks():
        for _ in range(10):
            yield b"x" * 500

    answer = client.post("/api/predict", content=chunks(),
                         headers={"content-type": "multipart/form-data; boundary=b"})
    assert answer.status_code == 413


def _bomb_png(width: int, height: int) -> bytes:
    """A valid PNG header claiming width x height, with a tiny compressed body."""
    image = Image.new("L", (1, 1))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    crc = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    data[29:33] = crc
    return bytes(data)


def test_pixel_bomb_is_refused_before_decoding(client):
    answer = client.post("/api/predict",
                         files=[("images", ("bomb.png", _bomb_png(30000, 30000), "image/png"))])
    assert answer.status_code == 413
    assert answer.json()["error"].startswith("bomb.png: image over the pixel limit")


def test_image_over_the_servers_own_pixel_limit_is_413(client):
    wide = _bomb_png(10000, 3000)  # under Pillow's limit, over the server's 25 MP
    answer = client.post("/api/predict", files=[("images", ("wide.png", wide, "image/png"))])
    assert answer.status_code == 413
    assert answer.json()["error"].startswith("wide.png: image is 10000x3000 pixels")
