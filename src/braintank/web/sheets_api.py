"""Sheets: upload scans (read in the background), follow the reading, list the sheets with
their counts, export the final CSV of one sheet, a batch, or all."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import Response

from braintank.sheets.export import to_csv
from braintank.web.config import MAX_SHEET_FILES
from braintank.web.deps import IdInPath, IdsInQuery, open_store, shown_error, shown_file
from braintank.web.uploads import read_upload, shown_name, store_scan

router = APIRouter()
SCAN_KINDS = ("pdf", "png", "jpg", "tif", "bmp", "gif", "webp", "pgm", "ppm")


@router.post("/api/sheets", status_code=202, summary="Upload scans or PDFs to be read")
async def upload_sheets(request: Request, files: Annotated[list[UploadFile], File()]) -> dict:
    if len(files) > MAX_SHEET_FILES:
        raise HTTPException(413, f"{len(files)} files in one upload; the limit is "
                                 f"{MAX_SHEET_FILES}")
    config = request.app.state.config
    # Every file is checked before any is kept: a refused upload leaves nothing on disk
    # (good files were kept, never to be read, when a later one was refused).
    names = [shown_name(upload, index) for index, upload in enumerate(files)]
    checked = [(await read_upload(upload, name, SCAN_KINDS))[0]
               for upload, name in zip(files, names, strict=True)]
    kept = [(store_scan(config.uploads, data, name), name)
            for data, name in zip(checked, names, strict=True)]
    job = request.app.state.worker.submit(kept)
    return {"job": job.id, "files": [name for _path, name in kept]}


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


def _sheet_rows(request: Request) -> tuple[list[dict], list[dict]]:
    with open_store(request) as store:
        results = store.results()
        failures = store.failures()
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
    failed = [{"file": shown_file(request, f), "page": p, "error": shown_error(request, f, e)}
              for f, p, e in failures]
    return listed, failed


@router.get("/api/sheets", summary="Sheets read so far, with counts of ok/review/empty cells")
def list_sheets(request: Request) -> dict:
    sheets, failed = _sheet_rows(request)
    return {"sheets": sheets, "failed": failed}


@router.get("/api/export.csv", summary="The final CSV (model answers with corrections)")
def export(request: Request, sheet: IdsInQuery = None) -> Response:
    """All sheets, or those given as ?sheet=ID (repeat it for a batch)."""
    with open_store(request) as store:
        results = store.results(sheet)
        if sheet:
            known = {r[0] for r in store.query("SELECT id FROM sheets WHERE status = 'read'")}
            missing = sorted(set(sheet) - known)
            if missing:
                raise HTTPException(404, f"no sheet {', '.join(map(str, missing))}")
    for r in results:
        r["file"] = shown_file(request, r["file"])
    name = (f"sheet-{sheet[0]}.csv" if sheet and len(sheet) == 1
            else "batch.csv" if sheet else "all-sheets.csv")
    return Response(to_csv(results), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
