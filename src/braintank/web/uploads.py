"""Uploaded files: their type found from their first bytes (never from the name), their name
made safe before it touches the disk, the pixel count checked before any decoding."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import HTTPException, UploadFile
from PIL import Image

from braintank.fileio import atomic_write_bytes

IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"),
    (b"GIF89a", "gif"), (b"BM", "bmp"), (b"II*\x00", "tif"), (b"MM\x00*", "tif"),
    (b"P5", "pgm"), (b"P6", "ppm"),
)
PDF_SIGNATURE = b"%PDF-"


def sniff(data: bytes) -> str | None:
    """The file's type from its content: an image extension, 'pdf', or None."""
    if data.startswith(PDF_SIGNATURE):
        return "pdf"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for signature, kind in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


def shown_name(upload: UploadFile, index: int) -> str:
    """The client's file name for messages: no folders, printable, short."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())[:100]
    return name or f"upload-{index + 1}"


def safe_file_name(name: str) -> str:
    """`name` (already without folders) as a single harmless file name: no leading dots or
    spaces (so never '.', '..' or hidden), at most 120 bytes of UTF-8."""
    name = name.replace("/", "_").replace("\\", "_").lstrip(". ").rstrip()
    while len(name.encode("utf-8", errors="backslashreplace")) > 120:
        name = name[:-1]
    return name or "scan"


async def read_upload(upload: UploadFile, name: str, allowed: tuple[str, ...]) -> tuple[bytes, str]:
    """(bytes, kind) of an upload whose content is one of `allowed`, else 415/400."""
    data = await upload.read()
    return data, check_kind(data, name, allowed)


def check_kind(data: bytes, name: str, allowed: tuple[str, ...]) -> str:
    """The kind of an upload's content when it is one of `allowed`, else 415/400."""
    if not data:
        raise HTTPException(400, f"{name}: empty file (0 bytes)")
    kind = sniff(data)
    if kind is None or kind not in allowed:
        what = "a PDF" if kind == "pdf" else "not an image" if kind is None else kind
        raise HTTPException(415, f"{name}: {what}; allowed: {', '.join(allowed)} "
                                 f"(the type is read from the content, not the name)")
    return kind


def check_pixels(path: Path, name: str, limit: int) -> None:
    """Refuse an image whose header claims more than `limit` pixels (a decompression bomb)
    before anything decodes it; Pillow reads only the header here."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except Image.DecompressionBombError:  # over Pillow's own limit, far above ours
        raise HTTPException(413, f"{name}: image over the pixel limit of this server "
                                 f"(refused as a possible decompression bomb)") from None
    except Exception:  # undecodable: load_image says why, with the same name
        return
    if width * height > limit:
        raise HTTPException(413, f"{name}: image is {width}x{height} pixels, over the "
                                 f"{limit / 1e6:g} MP pixel limit of this server (refused as a "
                                 f"possible decompression bomb)")


def store_scan(folder: Path, data: bytes, name: str) -> Path:
    """Keep an uploaded scan as folder/<sha256 prefix>/<safe name>: the same content gets
    the same folder, and nothing of the client's name can leave it. The name keeps what the
    client called the file, for the sheet list and the CSV; its type was read from the
    content, and the reader reads the content again whatever the name says."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = folder / digest / safe_file_name(name)
    if not target.exists():
        atomic_write_bytes(target, data)
    return target
