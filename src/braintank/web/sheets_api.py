"""Sheets: upload scans (read in the background), follow the reading, list the sheets with
their counts, export the final CSV of one sheet, a batch, or all."""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from braintank.errors import BraintankError
from braintank.sheets.printing.layout import load_layout
from braintank.sheets.storing.export import to_csv
from braintank.sheets.storing.labels import save_template_text
from braintank.web.config import MAX_SHEET_FILES
from braintank.web.deps import (
    IdInPath,
    IdsInQuery,
    check_sheets,
    open_store,
    shown_error,
    shown_file,
)
from braintank.web.uploads import check_kind, shown_name, store_scan

router = APIRouter()
SCAN_KINDS = ("pdf", "png", "jpg", "tif", "bmp", "gif", "webp", "pgm", "ppm")


@router.post("/api/sheets", status_code=202, summary="Upload scans or PDFs to be read")
async def upload_sheets(request: Request, files: Annotated[list[UploadFile], File()]) -> dict:
    """Each file is accepted or refused on its own (`refused`: name and why); a layout.json
    among them gives the store its template's title and labels. Only an upload with nothing
    to read is refused whole."""
    if len(files) > MAX_SHEET_FILES:
        raise HTTPException(413, f"{len(files)} files in one upload; the limit is "
                                 f"{MAX_SHEET_FILES} (the sheets page sends larger batches in "
                                 f"parts)")
    config = request.app.state.config
    kept, refused, layouts = [], [], []
    for index, upload in enumerate(files):
        name = shown_name(upload, index)
        data = await upload.read()
        try:
            if data.lstrip()[:1] == b"{":
                layouts.append(await run_in_threadpool(keep_layout, request, data, name))
                continue
            check_kind(data, name, SCAN_KINDS)
        except (HTTPException, BraintankError) as exc:
            refused.append({"file": name, "error": str(getattr(exc, "detail", exc))})
            continue
        kept.append((store_scan(config.uploads, data, name), name))
    if not kept and not layouts:
        raise HTTPException(415 if refused else 400, "nothing to read: " + "; ".join(
            r["error"] for r in refused[:5]) + (f"; and {len(refused) - 5} more"
                                                if len(refused) > 5 else ""))
    job = request.app.state.worker.submit(kept) if kept else None
    return {"job": None if job is None else job.id, "files": [name for _p, name in kept],
            "refused": refused, "layouts": layouts}


def keep_layout(request: Request, data: bytes, name: str) -> str:
    """Keep the text of an uploaded layout.json in the store; its layout id."""
    with tempfile.TemporaryDirectory(prefix="braintank-layout-") as folder:
        path = Path(folder) / "layout.json"
        path.write_bytes(data)
        try:
            layout = load_layout(path)
        except BraintankError as exc:
            raise BraintankError(str(exc).replace(str(path), name)) from None
    with open_store(request) as store:
        save_template_text(store, layout)
    return layout.layout_id


@router.get("/api/limits", summary="What one upload may hold (the sheets page splits by it)")
def limits(request: Request) -> dict:
    return {"max_upload_bytes": request.app.state.config.max_upload_bytes,
            "max_files": MAX_SHEET_FILES}


@router.get("/api/jobs/{job_id}", summary="Progress of an upload being read")
async def job_progress(request: Request, job_id: IdInPath) -> dict:
    job = request.app.state.worker.get(job_id)
    if job is None:
        raise HTTPException(404, f"no reading job {job_id} (jobs are forgotten on restart; "
                                 f"the sheets they read are not)")
    return job


@router.post("/api/jobs/{job_id}/cancel",
             summary="Stop reading an upload before its next page (pages read are kept)")
async def cancel_job(request: Request, job_id: IdInPath) -> dict:
    job = request.app.state.worker.cancel(job_id)
    if job is None:
        raise HTTPException(404, f"no reading job {job_id}")
    return job


def _sheet_rows(request: Request) -> tuple[list[dict], list[dict], list[dict]]:
    with open_store(request) as store:
        results = store.results()
        failures = store.failures()
        duplicates = store.duplicates()
        sheets = store.query("SELECT id, file, page, layout_id, read_at FROM sheets "
                             "WHERE status = 'read' ORDER BY file, page")
    counts: dict[int, Counter] = defaultdict(Counter)
    for r in results:
        counts[r["sheet_id"]][r["status"]] += 1
        counts[r["sheet_id"]]["corrected"] += int(bool(r["corrected"]))
        counts[r["sheet_id"]]["left"] += int(r["status"] == "review" and not r["corrected"])
    listed = [{"id": sid, "file": shown_file(request, file), "page": page, "layout": layout,
               "read_at": read_at, **{k: counts[sid][k] for k in
                                      ("ok", "review", "empty", "corrected", "left")}}
              for sid, file, page, layout, read_at in sheets]
    listed.sort(key=lambda s: (s["file"], s["page"]))  # as people know them, not by hash
    failed = [{"file": shown_file(request, f), "page": p, "error": shown_error(request, f, e)}
              for f, p, e in failures]
    same = [{"file": shown_file(request, f), "page": p, "same_as": _shown_paths(request, e)}
            for f, p, e in duplicates]
    return listed, failed, same


def _shown_paths(request: Request, text: str) -> str:
    """A stored message naming uploaded scans by the server's path, with their names."""
    uploads = str(request.app.state.config.uploads)
    while uploads + "/" in text:
        start = text.index(uploads + "/")
        end = text.index("/", start + len(uploads) + 1) + 1
        text = text[:start] + text[end:]
    return text


@router.get("/api/sheets", summary="Sheets read so far, with counts of ok/review/empty cells")
def list_sheets(request: Request) -> dict:
    sheets, failed, same = _sheet_rows(request)
    return {"sheets": sheets, "failed": failed, "same_pages": same}


@router.get("/api/export.csv", summary="The final CSV (model answers with corrections)")
def export(request: Request, sheet: IdsInQuery = None) -> Response:
    """All sheets, or those given as ?sheet=ID (repeat it for a batch)."""
    with open_store(request) as store:
        check_sheets(store, sheet)
        results = store.results(sheet)
    for r in results:
        r["file"] = shown_file(request, r["file"])
    name = (f"sheet-{sheet[0]}.csv" if sheet and len(sheet) == 1
            else "batch.csv" if sheet else "all-sheets.csv")
    return Response(to_csv(results), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
