"""Read image files and caller arrays as 2-D float32 grey in [0, 1] (0 = black, 1 = white)."""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from braintank.errors import BraintankError

# Bigger than any phone photo (108 MP sensors exist) yet far below what would exhaust memory;
# a header claiming more is treated as a decompression bomb rather than decoded.
MAX_PIXELS = 120_000_000

# Formats a user plausibly scans or photographs digits into (Pillow's JPEG reader also opens
# the MPO files many cameras write); others are refused rather than handed to rarer decoders.
FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "GIF", "WEBP", "PPM")

# ITU-R BT.601 luma weights, the same ones Pillow uses for its "L" conversion.
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


# A multi-page TIFF is read page by page; a file claiming more pages than this is refused
# rather than decoded for hours (a scanner's batch file holds a few hundred pages at most).
MAX_PAGES = 1000


def load_image(path: str | os.PathLike) -> np.ndarray:
    """The image at `path` as 2-D float32 grey in [0, 1]; alpha is composited on white paper.

    EXIF orientation is applied, the first frame of multi-frame files is used (load_pages
    gives every page of a multi-page TIFF), and any failure (missing, unreadable, not an
    image, truncated, oversized) raises a one-line BraintankError.
    """
    pages = load_pages(path, only={1})
    try:
        _number, grey = next(pages)
    finally:
        pages.close()
    if isinstance(grey, BraintankError):
        raise grey
    return grey


def image_page_count(path: str | os.PathLike) -> int:
    """How many pages load_pages yields: the frames of a TIFF, 1 for any other image."""
    path = Path(path)
    _check_file(path)
    image = _open(path)
    try:
        return _count_pages(path, image)
    finally:
        image.close()


def load_pages(path: str | os.PathLike, only: set[int] | None = None
               ) -> Iterator[tuple[int, np.ndarray | BraintankError]]:
    """(page number from 1, grey as load_image gives it) for each page of the file.

    The pages of a multi-page TIFF are its frames, like the pages of a PDF; any other image
    is one page (the frames of an animated GIF or a camera's MPO are not pages). Every frame
    gets load_image's checks, the pixel limit included. A page that cannot be decoded is
    yielded as its BraintankError so the other pages are still read; a file that cannot be
    opened at all (or holds more than MAX_PAGES pages) raises. With `only`, other pages are
    not decoded.
    """
    path = Path(path)
    _check_file(path)
    image = _open(path)
    try:
        total = _count_pages(path, image)
        for index in range(total):
            if only is not None and index + 1 not in only:
                continue
            try:
                with _pillow_errors(path):
                    grey = _decode_frame(path, image, index)
            except BraintankError as error:
                grey = error
            yield index + 1, grey
    finally:
        image.close()


@contextlib.contextmanager
def _pillow_errors(path: Path) -> Iterator[None]:
    """Pillow's exceptions for a bad file, raised again as one-line BraintankErrors."""
    try:
        with warnings.catch_warnings():
            # The size is checked against MAX_PIXELS, so Pillow's own warning is redundant.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    except BraintankError:
        raise
    except Image.DecompressionBombError as error:
        raise BraintankError(f"{path}: image too large, refused as a decompression bomb "
                             f"({error})") from None
    except UnidentifiedImageError:
        raise BraintankError(f"{path}: not an image file (or not one of "
                             f"{', '.join(FORMATS)})") from None
    except PermissionError:
        raise BraintankError(f"{path}: permission denied") from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise BraintankError(f"{path}: truncated or corrupt image ({error})") from None


def _open(path: Path) -> Image.Image:
    with _pillow_errors(path):
        return Image.open(path, formats=_available_formats())


def _count_pages(path: Path, image: Image.Image) -> int:
    """Frames of a TIFF, found by seeking (never more than MAX_PAGES + 1 seeks).

    A frame that cannot even be reached ends the count but is counted itself, so decoding
    it reports the damage instead of the pages after it vanishing silently.
    """
    if image.format != "TIFF":
        return 1
    count = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        while True:
            try:
                image.seek(count)
            except EOFError:
                break
            except Exception:  # a damaged directory: Pillow raises several types
                count += 1
                break
            if count == MAX_PAGES:
                raise BraintankError(f"{path}: TIFF with more than {MAX_PAGES} pages "
                                     f"(split it into smaller files)")
            count += 1
    return count


def _decode_frame(path: Path, image: Image.Image, index: int) -> np.ndarray:
    image.seek(index)
    _check_size(path, image.size)
    image.load()
    return to_grey(_pil_to_array(path, ImageOps.exif_transpose(image)), name=str(path))


def to_grey(array: np.ndarray, *, name: str = "image array") -> np.ndarray:
    """A caller's image array as 2-D float32 grey in [0, 1], validated.

    Accepts HxW, HxWx1, HxWx3 (RGB order, not OpenCV's BGR) and HxWx4 (RGBA, composited on
    white). bool, uint8 and uint16 are scaled by their full range; floats must already lie in
    [0, 1]. Other integer types are refused rather than guessed at.
    """
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise BraintankError(f"{name}: expected a 2-D grey image or an HxWx3/HxWx4 colour image, "
                             f"got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise BraintankError(f"{name}: image has zero size {array.shape}")
    values = _scale_to_unit(array, name)
    if values.ndim == 2:
        return values
    grey = values[:, :, :3] @ _LUMA
    if values.shape[2] == 4:
        alpha = values[:, :, 3]
        grey = grey * alpha + (1.0 - alpha)
    return np.clip(grey, 0.0, 1.0).astype(np.float32, copy=False)


def _scale_to_unit(array: np.ndarray, name: str) -> np.ndarray:
    if array.dtype == np.bool_:
        return array.astype(np.float32)
    if array.dtype == np.uint8:
        return array.astype(np.float32) / np.float32(255)
    if array.dtype == np.uint16:
        return array.astype(np.float32) / np.float32(65535)
    if np.issubdtype(array.dtype, np.floating):
        # Checked in the caller's precision: a float64 beyond float32's range would turn
        # into inf (with a warning) on the way.
        if not np.isfinite(array).all():
            raise BraintankError(f"{name}: image contains NaN or infinite values")
        low, high = float(array.min()), float(array.max())
        if low < -1e-3 or high > 1 + 1e-3:
            raise BraintankError(f"{name}: float image values must lie in [0, 1], got "
                                 f"[{low:.4g}, {high:.4g}] (divide 8-bit data by 255)")
        return np.clip(array.astype(np.float32, copy=False), 0.0, 1.0)
    raise BraintankError(f"{name}: unsupported dtype {array.dtype} (use uint8, uint16, bool "
                         f"or float in [0, 1])")


@functools.cache
def _available_formats() -> tuple[str, ...]:
    """FORMATS that this Pillow build can decode (WEBP support, for one, is optional)."""
    Image.init()
    return tuple(name for name in FORMATS if name in Image.OPEN)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise BraintankError(f"{path}: file not found")
    if path.is_dir():
        raise BraintankError(f"{path}: is a directory, not an image file")
    if not os.access(path, os.R_OK):
        raise BraintankError(f"{path}: permission denied")
    if path.stat().st_size == 0:
        raise BraintankError(f"{path}: empty file (0 bytes)")


def _check_size(path: Path, size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise BraintankError(f"{path}: image has zero size {width}x{height}")
    if width * height > MAX_PIXELS:
        raise BraintankError(f"{path}: image is {width}x{height} pixels, over the "
                             f"{MAX_PIXELS // 1_000_000} MP limit (refused as a possible "
                             f"decompression bomb)")


def _pil_to_array(path: Path, image: Image.Image) -> np.ndarray:
    """Pixels in a dtype to_grey understands, keeping 16-bit depth and alpha."""
    mode = image.mode
    if mode in ("L", "RGB", "RGBA"):
        return np.asarray(image)
    if mode.startswith("I;16"):
        return np.asarray(image).astype(np.uint16)
    if mode == "I":
        # 32-bit integer mode is how Pillow returns 16-bit PNG/TIFF grey.
        return np.clip(np.asarray(image), 0, 65535).astype(np.uint16)
    if mode == "F":
        return _float_mode_to_unit(path, np.asarray(image, dtype=np.float32))
    if mode == "1":
        return np.asarray(image.convert("L"))
    has_alpha = mode in ("LA", "La", "PA", "RGBa") or "transparency" in image.info
    try:
        return np.asarray(image.convert("RGBA" if has_alpha else "RGB"))
    except (ValueError, OSError):
        raise BraintankError(f"{path}: unsupported colour mode {mode}") from None


def _float_mode_to_unit(path: Path, values: np.ndarray) -> np.ndarray:
    """Float TIFFs carry no declared range; take the smallest standard range that holds the data."""
    if not np.isfinite(values).all():
        raise BraintankError(f"{path}: image contains NaN or infinite values")
    high = float(values.max())
    for full_scale in (1.0, 255.0, 65535.0):
        if high <= full_scale:
            return np.clip(values / np.float32(full_scale), 0.0, 1.0)
    raise BraintankError(f"{path}: float image values up to {high:.4g} have no known range")
