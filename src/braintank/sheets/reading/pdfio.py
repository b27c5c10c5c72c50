"""Render the pages of a PDF scan to grey images with pypdfium2."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from braintank.errors import BraintankError

RENDER_DPI = 300
# A page rendered larger than this (a poster-sized PDF) is rendered at a lower dpi instead.
MAX_PAGE_PIXELS = 60_000_000


def is_pdf(path: str | os.PathLike) -> bool:
    """Whether the file starts like a PDF, whatever its name."""
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def _open(path: str | os.PathLike):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise BraintankError(f"{path}: not a readable PDF ({exc})") from None


def page_count(path: str | os.PathLike) -> int:
    doc = _open(path)
    try:
        return len(doc)
    finally:
        doc.close()


def render_pages(path: str | os.PathLike, only: set[int] | None = None
                 ) -> Iterator[tuple[int, np.ndarray | BraintankError]]:
    """(page number from 1, grey float32 [0,1] image or the error for that page).

    With `only`, pages not in it are not rendered (they are already in the store).
    """
    doc = _open(path)
    try:
        for index in range(len(doc)):
            if only is not None and index + 1 not in only:
                continue
            try:
                page = doc[index]
                width, height = page.get_size()
                scale = RENDER_DPI / 72.0
                pixels = width * height * scale * scale
                if pixels > MAX_PAGE_PIXELS:
                    scale *= (MAX_PAGE_PIXELS / pixels) ** 0.5
                bitmap = page.render(scale=scale, grayscale=True)
                grey = np.asarray(bitmap.to_numpy(), dtype=np.float32)
                if grey.ndim == 3:
                    grey = grey[..., :3].mean(axis=2)
                yield index + 1, grey / 255.0
            except Exception as exc:  # pdfium raises several types for one broken page
                yield index + 1, BraintankError(f"{path}: page {index + 1} cannot be rendered "
                                                f"({exc})")
    finally:
        doc.close()
