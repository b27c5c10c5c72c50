"""Read a batch of scans into the store: one page at a time, each committed on its own.

A page that fails is reported by name with the reason and the batch goes on. Pages already
in the store are skipped (unless re-reading is asked for), so a batch killed mid-run is
finished by running the same command again. A photo (a one-page image) holding several
sheets is read as pages 1, 2, ... of that file, left to right; on a page of a PDF or a
multi-page TIFF only the first sheet is read and the others are reported as not read.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes
from braintank.imaging.images import MAX_PAGES, image_page_count, load_pages
from braintank.sheets.printing.layout import Layout
from braintank.sheets.reading.pdfio import is_pdf, page_count, render_pages
from braintank.sheets.reading.reader import PageReading, encode_png, read_photo
from braintank.sheets.storing.store import SheetStore, StoreError


@dataclass
class BatchReport:
    read: int = 0
    skipped: int = 0
    failed: list[tuple[str, int, str]] = field(default_factory=list)
    sheet_ids: list[int] = field(default_factory=list)


def file_sha256(path: str | os.PathLike) -> str:
    """The file's SHA-256; a file that cannot be read is a one-line BraintankError."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise BraintankError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return digest.hexdigest()


def check_scan_path(path: Path) -> None:
    """Refuse what is not a regular file before anything opens it (a FIFO would block)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if os.path.lexists(path) and not os.path.exists(path):
            raise BraintankError(f"{path}: broken symbolic link (its target is missing or "
                                 f"the links loop)") from None
        if isinstance(exc, FileNotFoundError):
            raise BraintankError(f"{path}: file not found") from None
        raise BraintankError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise BraintankError(f"{path}: is a directory, not a scan")
    if not stat.S_ISREG(mode):
        raise BraintankError(f"{path}: not a regular file (a FIFO, socket or device)")


def _pages(path: Path, only: set[int]) -> Iterator[tuple[int, np.ndarray | BraintankError]]:
    """The pages of a PDF or an image (a multi-page TIFF has several), or their errors."""
    if is_pdf(path):
        yield from render_pages(path, only)
        return

    try:
        yield from load_pages(path, only)
    except BraintankError as exc:  # the file as a whole: recorded against its first page
        yield 1, exc


def _page_numbers(path: Path) -> list[int]:
    if is_pdf(path):
        # Capped like a TIFF: a 12 MB PDF of 100,000 blank pages was hours of reading.
        count = page_count(path)
        if count > MAX_PAGES:
            raise BraintankError(f"{path}: PDF with {count:,} pages, more than the {MAX_PAGES} "
                                 f"braintank reads from one file (split it)")
        return list(range(1, count + 1))

    try:
        return list(range(1, image_page_count(path) + 1))
    except BraintankError:
        return [1]  # not readable as an image: reading page 1 reports why


def crop_prefix(path: Path, sha256: str) -> str:
    """The start of a scan's crop names: its name made safe and short, then the start of its
    SHA-256, so two scans of one name (in two folders) never share crops, and reading the
    same scan again writes the same names."""
    stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in path.stem)
    stem = re.sub(r"_{2,}", "_", stem).lstrip(".-") or "scan"
    while len(stem.encode("utf-8")) > 60:
        stem = stem[:-1]
    return f"{stem}-{sha256[:12]}"


def _save_crops(crops_dir: Path, prefix: str, page: int, reading) -> dict:
    paths = {}
    for cell in reading.cells:
        target = crops_dir / f"{prefix}-p{page}-r{cell.row}-c{cell.col}.png"
        atomic_write_bytes(target, encode_png(cell.crop))
        paths[(cell.row, cell.col)] = str(target)
    return paths


def read_file(path: Path, store: SheetStore, classifier, report: BatchReport,
              layout: Layout | None, crops_dir: Path | None, reread: bool,
              log: Callable[[str], None]) -> Iterator[None]:
    """Read every page of one file into the store, recording failures in `report`; yields
    after each page, so a caller can stop between pages (or read another file first)."""
    sha = file_sha256(path)
    numbers = _page_numbers(path)
    todo = [n for n in numbers if reread or store.sheet_status(sha, n) != "read"]
    for n in numbers:
        if n not in todo:
            report.skipped += 1
            report.sheet_ids.append(store.sheet_id(sha, n))
    if not todo:
        if len(numbers) == 1:  # the other sheets of a photo holding several
            report.sheet_ids += _more_sheets(store, sha)
        return
    for page, grey in _pages(path, set(todo)):
        try:
            if isinstance(grey, BraintankError):
                raise grey
            results = read_photo(grey, classifier, layout)
        except BraintankError as exc:
            _failed(store, report, sha, path, page, _message(path, exc, numbers, page), log)
            yield
            continue
        if len(numbers) > 1:
            for k, extra in enumerate(results[1:], 2):
                why = extra if isinstance(extra, BraintankError) else "read it on its own page"
                message = (f"{path}: page {page} holds {len(results)} sheets; sheet {k} (from "
                           f"the left) was not read ({why})")
                report.failed.append((str(path), page, message))
                log(f"skipped: {message}")
            results = results[:1]
        # The first sheet is saved last: once page 1 is in the store, so are the others of
        # the same photo, and a run killed between them reads the photo again.
        for k in range(len(results), 0, -1):
            sheet_page = page if len(results) == 1 else k
            result = results[k - 1]
            if isinstance(result, BraintankError):
                where = f"sheet {k} of {len(results)} in the photo: " if len(results) > 1 else ""
                message = _message(path, BraintankError(f"{where}{result}"), numbers, page)
                _failed(store, report, sha, path, sheet_page, message, log)
                continue
            _save(store, report, sha, path, sheet_page, result, classifier, crops_dir)
            log(f"read: {path}" + (f" page {page}" if len(numbers) > 1 else "")
                + (f" (sheet {k} of {len(results)} in the photo, as page {k})"
                   if len(results) > 1 else ""))
        yield


def _message(path: Path, exc: BraintankError, numbers: list[int], page: int) -> str:
    message = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
    return message if len(numbers) == 1 else f"{message} (page {page})"


def _failed(store: SheetStore, report: BatchReport, sha: str, path: Path, page: int,
            message: str, log: Callable[[str], None]) -> None:
    store.save_failure(sha, page, str(path), message)
    report.failed.append((str(path), page, message))
    log(f"skipped: {message}")


def _save(store: SheetStore, report: BatchReport, sha: str, path: Path, page: int,
          reading: PageReading, classifier, crops_dir: Path | None) -> None:
    crop_paths = (_save_crops(crops_dir, crop_prefix(path, sha), page, reading)
                  if crops_dir else {})
    sheet_id = store.save_page(sha, page, str(path), reading,
                               getattr(classifier, "name", "model"), crop_paths)
    report.read += 1
    report.sheet_ids.append(sheet_id)


def _more_sheets(store: SheetStore, sha: str) -> list[int]:
    """Ids of the pages 2, 3, ... stored for a one-page image (the sheets of a photo that
    holds several)."""
    ids, page = [], 2
    while (sheet_id := store.sheet_id(sha, page)) is not None:
        ids.append(sheet_id)
        page += 1
    return ids


def read_batch(paths: list[str | os.PathLike], store: SheetStore, classifier,
               layout: Layout | None = None, crops_dir: str | os.PathLike | None = None,
               reread: bool = False, log: Callable[[str], None] = print) -> BatchReport:
    """Read all `paths` (images or PDFs) into `store`; bad files are reported, not fatal."""
    report = BatchReport()
    for _path in batch_steps(paths, store, classifier, report, layout, crops_dir, reread, log):
        pass
    return report


def batch_steps(paths: list[str | os.PathLike], store: SheetStore, classifier,
                report: BatchReport, layout: Layout | None = None,
                crops_dir: str | os.PathLike | None = None, reread: bool = False,
                log: Callable[[str], None] = print) -> Iterator[str]:
    """`read_batch` one page at a time: yields the file it worked on after each page (and
    after each file refused whole), so the server can interleave batches and cancel one
    between pages; every page is committed before the yield."""
    crops = Path(crops_dir) if crops_dir is not None else None
    for raw in paths:
        path = Path(raw)
        try:
            check_scan_path(path)
            for _page in read_file(path, store, classifier, report, layout, crops, reread,
                                   log):
                yield str(path)
        except StoreError:
            raise  # nothing further could be saved
        except BraintankError as exc:
            report.failed.append((str(path), 0, str(exc)))
            log(f"skipped: {exc}")
            yield str(path)
