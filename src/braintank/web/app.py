"""`create_app(config)`: the FastAPI application of `braintank serve`.

One process: the model is loaded once, every request opens the SQLite store (in WAL mode)
for as long as it needs it, and sheets are read one batch at a time by a background worker.
"""

from __future__ import annotations

import contextlib
import sqlite3
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from braintank import __version__
from braintank.errors import BraintankError
from braintank.inference.classifier import default_model_path
from braintank.sheets.storing.answers import AnswerConflict, NotFound, SheetGone
from braintank.sheets.storing.store import SheetStore, StoreError
from braintank.web import (
    finetune_api,
    models_api,
    predict_api,
    results_api,
    review_api,
    sheet_view_api,
    sheets_api,
    templates_api,
)
from braintank.web.config import WebConfig
from braintank.web.jobs import ReadingWorker
from braintank.web.limits import BodySizeLimit
from braintank.web.security import SameOriginMiddleware, TokenMiddleware

PAGES = ("draw", "sheets", "sheet", "review", "results", "templates", "models")


def static_folder() -> Path:
    return Path(str(resources.files("braintank.web") / "static"))


def _error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message}, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)  # FastAPI's HTTPException is one too
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_message(exc))

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError) -> JSONResponse:
        return _error(503, str(exc))

    @app.exception_handler(AnswerConflict)
    async def conflict(_request: Request, exc: AnswerConflict) -> JSONResponse:
        current = None if exc.current is None else exc.current.to_dict()
        return JSONResponse(status_code=409, content={"error": str(exc), "current": current})

    async def missing(_request: Request, exc: BraintankError) -> JSONResponse:
        return _error(410 if isinstance(exc, SheetGone) else 404, str(exc))

    app.add_exception_handler(NotFound, missing)  # no such sheet, cell or answer
    app.add_exception_handler(SheetGone, missing)  # a deleted sheet

    @app.exception_handler(BraintankError)
    async def bad_input(_request: Request, exc: BraintankError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        # A bug, not bad input: still JSON for the pages; the traceback goes to the log.
        return _error(500, "internal error (the server's log has the details)")


def _add_pages(app: FastAPI) -> None:
    folder = static_folder()
    app.mount("/static", StaticFiles(directory=folder), name="static")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/draw", 303)

    def page_route(name: str):
        async def page() -> FileResponse:
            return FileResponse(folder / f"{name}.html", media_type="text/html")
        return page

    for name in PAGES:
        app.add_api_route(f"/{name}", page_route(name), include_in_schema=False)


def create_app(config: WebConfig) -> FastAPI:
    """The app for `config`; loads the model and opens (creating) the store at once, so a
    bad --model or --db fails before the server listens."""
    classifier = models_api.load_for_serving(config.model, config.runtime)
    with SheetStore(config.db, wal=True):
        pass
    # A connection held open while the app lives (it has read, so it shares the WAL): the
    # last connection to close checkpoints the WAL with an fsync, which every request's own
    # connection did (about 12 ms an answer on a 2-core machine).
    keeper = sqlite3.connect(config.db, check_same_thread=False)
    keeper.execute("SELECT count(*) FROM sheets").fetchone()
    worker = ReadingWorker(config, classifier)
    finetune = finetune_api.FinetuneRunner(config.runs or config.db.with_name(
        config.db.stem + "-runs"))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        worker.stop()
        finetune.stop()
        keeper.close()

    # No /docs or /redoc: their pages load scripts from a CDN, which a server on a closed
    # network cannot reach and a reviewer's browser should not be sent to; /openapi.json
    # describes the API.
    app = FastAPI(title="braintank", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="Read handwritten digits and score sheets; review and export.")
    app.state.config = config
    app.state.keeper = keeper
    app.state.classifier = classifier
    app.state.worker = worker
    app.state.model_facts = models_api.describe_model(config.model)
    app.state.model_path = config.model or default_model_path()
    app.state.finetune = finetune
    app.state.previous_models = []  # what a switch back returns to, latest last
    _add_error_handlers(app)

    @app.get("/health", summary="Liveness for monitoring")
    async def health() -> dict:
        return {"status": "ok"}  # open to all: it tells nothing, not even the version

    for module in (predict_api, sheet_view_api, sheets_api, review_api, templates_api,
                   models_api, finetune_api, results_api):
        app.include_router(module.router)
    _add_pages(app)
    if config.token is not None:
        app.add_middleware(TokenMiddleware, token=config.token)
    app.add_middleware(SameOriginMiddleware, allowed_hosts=config.allowed_hosts)
    app.add_middleware(BodySizeLimit, limit=config.max_upload_bytes)
    return app


