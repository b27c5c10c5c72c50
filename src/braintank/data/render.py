"""Render an MNIST digit as a realistic photo/scan of handwriting, as an array or an image file.

The digit is enlarged (bilinear, so edges stay soft like a pen line seen through a lens), placed
off-centre on a large canvas, drawn as ink on paper (dark on light when `invert`), lit unevenly
and given sensor noise. Used by `braintank data samples` and by the tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from braintank.data import load_split

# Output colour modes of render_digit_file.
COLOURS = ("grey", "rgb", "rgba", "grey16")
_SUFFIX_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP",
                   ".tif": "TIFF", ".tiff": "TIFF"}


def render_digit(digit28: np.ndarray, *, invert: bool = True, canvas: tuple[int, int] = (300, 400),
                 scale: float = 5.0, offset: tuple[int, int] = (0, 0), paper: float = 0.92,
                 ink: float = 0.12, gradient: float = 0.25, noise: float = 0.02,
                 seed: int = 0) -> np.ndarray:
    """Grey float32 [H, W] in [0, 1] showing the digit; `offset` is (down, right) from centre.

    With invert=True ink is dark (`ink`) on light paper (`paper`); otherwise the levels swap to
    chalk-on-blackboard. `gradient` darkens one corner by that fraction of the brightness.
    """
    coverage = np.asarray(digit28, dtype=np.float32) / 255.0
    tall = max(1, round(coverage.shape[0] * scale))
    wide = max(1, round(coverage.shape[1] * scale))
    coverage = np.clip(cv2.resize(coverage, (wide, tall), interpolation=cv2.INTER_LINEAR), 0, 1)
    height, width = canvas
    top = min(max((height - tall) // 2 + offset[0], 0), height - tall)
    left = min(max((width - wide) // 2 + offset[1], 0), width - wide)
    page = np.zeros((height, width), dtype=np.float32)
    page[top:top + tall, left:left + wide] = coverage
    background, foreground = (paper, ink) if invert else (1.0 - paper, 1.0 - ink)
    picture = background + (foreground - background) * page
    ramp = (np.arange(height)[:, None] / height + np.arange(width)[None, :] / width) / 2
    picture = picture * (1.0 - gradient * ramp)
    picture = picture + np.random.default_rng(seed).normal(0.0, noise, picture.shape)
    return np.clip(picture, 0.0, 1.0).astype(np.float32)


def render_digit_file(digit28: np.ndarray, path: str | os.PathLike, *, fmt: str | None = None,
                      colour: str = "grey", jpeg_quality: int = 85, **render_options) -> Path:
    """Write `render_digit(digit28, **render_options)` as an image file and return its path.

    fmt (PNG, JPEG, BMP, TIFF) defaults to the suffix; colour is one of COLOURS: 8-bit grey,
    RGB on yellowish paper, RGBA black ink on transparency (reads as `grey` on white), or 16-bit
    grey (PNG/TIFF only).
    """
    path = Path(path)
    fmt = fmt or _SUFFIX_FORMATS[path.suffix.lower()]
    if colour not in COLOURS:
        raise ValueError(f"colour must be one of {COLOURS}, got {colour!r}")
    grey = render_digit(digit28, **render_options)
    image = _to_pil(grey, colour)
    options = {"quality": jpeg_quality} if fmt == "JPEG" else {}
    image.save(path, format=fmt, **options)
    return path


def _to_pil(grey: np.ndarray, colour: str) -> Image.Image:
    if colour == "grey16":
        return Image.fromarray(np.round(grey * 65535).astype(np.uint16))
    if colour == "grey":
        return Image.fromarray(np.round(grey * 255).astype(np.uint8))
    # Yellowish paper: darker blue channel, scaled so the luma still equals `grey`.
    tint = np.array([1.04, 1.02, 0.85], dtype=np.float32)
    tint /= float(tint @ np.array([0.299, 0.587, 0.114], dtype=np.float32))
    rgb = np.clip(grey[:, :, None] * tint, 0, 1)
    if colour == "rgb":
        return Image.fromarray(np.round(rgb * 255).astype(np.uint8))
    # Drawn-on-transparent style: black ink whose opacity makes `grey` once composited on white.
    black = np.zeros_like(rgb)
    rgba = np.concatenate([black, 1.0 - grey[:, :, None]], axis=2)
    return Image.fromarray(np.round(rgba * 255).astype(np.uint8))


def write_samples(out_dir: str | os.PathLike, count: int, seed: int = 0,
                  data_dir: str | None = None) -> list[Path]:
    """Render `count` random MNIST test digits as photo-like PNGs named `<i>_label<d>.png`."""

    images, labels = load_split("mnist", "test", data_dir)
    rng = np.random.default_rng(seed)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    paths = []
    for n, i in enumerate(rng.choice(len(labels), size=count, replace=False)):
        path = Path(out_dir) / f"{n:03d}_label{labels[i]}.png"
        paths.append(render_digit_file(
            images[i], path, invert=bool(rng.random() < 0.8), scale=float(rng.uniform(3, 7)),
            offset=(int(rng.integers(-60, 60)), int(rng.integers(-80, 80))), seed=int(i)))
    return paths
