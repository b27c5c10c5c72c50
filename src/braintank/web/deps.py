"""What the routes share: the store opened per request, and file names as people see them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import HTTPException, Query, Request
from fastapi import Path as PathParam
from pydantic import Field

from braintank.sheets.storing.store import SheetStore

# Ids and row/column numbers as SQLite stores them, 0 to 2**63 - 1: a larger one made SQLite
# overflow (a plain-text 500). In JSON bodies strictly whole numbers (true is not sheet 1).
MAX_STORE_INT = 2**63 - 1
StoreInt = Annotated[int, Field(strict=True, ge=0, le=MAX_STORE_INT)]
IdInPath = Annotated[int, PathParam(ge=0, le=MAX_STORE_INT)]
IdsInQuery = Annotated[list[Annotated[int, Field(ge=0, le=MAX_STORE_INT)]] | None, Query()]


def open_store(request: Request) -> SheetStore:
    """The results store for one request (WAL: readers never wait for the reading worker)."""
    return SheetStore(request.app.state.config.db, wal=True)


def shown_error(request: Request, file: str, error: str) -> str:
    """A stored reading error as people see it: the uploaded scan by its name, never by the
    server's path (which the message starts with)."""
    return error.replace(file, shown_file(request, file))


def shown_file(request: Request, file: str) -> str:
    """An uploaded scan by the name it was uploaded under (uploads/<hash>/<name>), not by the
    server's folder; files read by `braintank sheet read` keep their path."""
    uploads = request.app.state.config.uploads
    try:
        return Path(file).relative_to(uploads).name
    except ValueError:
        return file


def check_sheets(store: SheetStore, sheet: list[int] | None) -> None:
    """404 naming the sheets asked for that are not (or no longer) read."""
    if not sheet:
        return
    known = {r[0] for r in store.query("SELECT id FROM sheets WHERE status = 'read'")}
    missing = sorted(set(sheet) - known)
    if missing:
        raise HTTPException(404, f"no sheet {', '.join(map(str, missing))}")
