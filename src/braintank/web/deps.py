"""What the routes share: the store opened per request, and file names as people see them."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from braintank.sheets.store import SheetStore


def open_store(request: Request) -> SheetStore:
    """The results store for one request (WAL: readers never wait for the reading worker)."""
    return SheetStore(request.app.state.config.db, wal=True)


def shown_file(request: Request, file: str) -> str:
    """An uploaded scan by the name it was uploaded under (uploads/<hash>/<name>), not by the
    server's folder; files read by `braintank sheet read` keep their path."""
    uploads = request.app.state.config.uploads
    try:
        return Path(file).relative_to(uploads).name
    except ValueError:
        return file
