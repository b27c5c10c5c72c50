"""Reading uploaded scans in the background, a page at a time, with progress to show.

Each page is committed on its own by the sheet reader (sheets.storing.batch), so a server killed
mid-batch keeps every page it finished; the batch's progress lives in memory only. Batches
take turns page by page, so a long one (a 1,000-page PDF) never keeps a sheet uploaded after
it waiting; a batch can be cancelled between two pages.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from braintank.errors import BraintankError
from braintank.imaging.images import image_page_count
from braintank.sheets.reading.pdfio import is_pdf, page_count
from braintank.sheets.storing.batch import BatchReport, batch_steps
from braintank.sheets.storing.store import SheetStore
from braintank.web.config import WebConfig

FINISHED = ("done", "failed", "cancelled")


@dataclass
class ReadJob:
    id: int
    files: list[tuple[str, str]]            # (server path, name as uploaded)
    state: str = "queued"                   # queued | reading | done | failed | cancelled
    files_done: int = 0
    pages_total: int = 0                    # pages in all its files (counted as it starts)
    pages_read: int = 0
    pages_skipped: int = 0
    failed: list[str] = field(default_factory=list)
    sheet_ids: list[int] = field(default_factory=list)
    current: str | None = None
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    cancel_requested: bool = False

    def to_dict(self) -> dict:
        fields = asdict(self)
        fields["files"] = [name for _path, name in self.files]
        fields["files_total"] = len(self.files)
        del fields["cancel_requested"]
        return fields

    def show(self, report: BatchReport, path: str | None) -> None:
        """Progress from the batch report, with uploaded names instead of server paths."""
        names = dict(self.files)
        paths = [server for server, _name in self.files]
        self.pages_read, self.pages_skipped = report.read, report.skipped
        self.failed = [_named(message, file, names) for file, _page, message in report.failed]
        self.sheet_ids = list(report.sheet_ids)
        self.files_done = paths.index(path) if path in paths else len(paths)
        self.current = names.get(path)


def count_pages(path: Path) -> int:
    """Pages the reader will go through in a file (1 when it cannot tell: the reader then
    says why), so progress can be shown page by page, also inside one long PDF."""

    try:
        return max(1, page_count(path) if is_pdf(path) else image_page_count(path))
    except (BraintankError, OSError):
        return 1


def _named(message: str, file: str, names: dict[str, str]) -> str:
    return message.replace(file, names.get(file, file))


class ReadingWorker:
    """One thread reading the queued batches with the server's classifier, in turns."""

    def __init__(self, config: WebConfig, classifier) -> None:
        self.config = config
        self.classifier = classifier
        self.jobs: dict[int, ReadJob] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._queue: queue.Queue[ReadJob | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, files: list[tuple[Path, str]]) -> ReadJob:
        with self._lock:
            job = ReadJob(next(self._ids), [(str(path), name) for path, name in files])
            self.jobs[job.id] = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="braintank-reader",
                                                daemon=True)
                self._thread.start()
        self._queue.put(job)
        return job

    def get(self, job_id: int) -> dict | None:
        with self._lock:
            job = self.jobs.get(job_id)
            return None if job is None else job.to_dict()

    def cancel(self, job_id: int) -> dict | None:
        """Ask a job to stop before its next page (the pages read so far stay); None when
        there is no such job. A finished job is left as it is."""
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            if job.state not in FINISHED:
                job.cancel_requested = True
            return job.to_dict()

    def stop(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        turns: deque[tuple[ReadJob, Iterator[str], BatchReport]] = deque()
        store: SheetStore | None = None
        try:
            while True:
                try:  # wait for work only when there is none
                    job = self._queue.get(block=not turns)
                except queue.Empty:
                    job = False
                if job is None:
                    return
                if job:
                    try:
                        store = store or SheetStore(self.config.db, wal=True)
                    except BraintankError as exc:
                        job.error = str(exc)
                        self._finish(job, "failed")
                        continue
                    job.pages_total = sum(count_pages(Path(p)) for p, _n in job.files)
                    report = BatchReport()
                    turns.append((job, batch_steps([p for p, _n in job.files], store,
                                                   self.classifier, report,
                                                   log=lambda _m: None), report))
                if turns:
                    self._step(turns)
        finally:
            if store is not None:
                store.close()

    def _step(self, turns: deque) -> None:
        """One page of the batch whose turn it is; it then goes to the back of the line."""
        job, steps, report = turns.popleft()
        if job.cancel_requested:
            steps.close()
            return self._finish(job, "cancelled")
        if job.started_at is None:
            job.state, job.started_at = "reading", time.time()
        try:
            path = next(steps)
        except StopIteration:
            return self._finish(job, "done", report)
        except Exception as exc:  # noqa: BLE001 - the store failed (or a bug): this batch
            job.error = str(exc) if isinstance(exc, BraintankError) else "internal error"
            return self._finish(job, "failed", report)  # stops, the others go on
        with self._lock:
            job.show(report, path)
        turns.append((job, steps, report))

    def _finish(self, job: ReadJob, state: str, report: BatchReport | None = None) -> None:
        with self._lock:
            if report is not None:
                job.show(report, None)
            job.state, job.current, job.finished_at = state, None, time.time()
            if job.started_at is None:
                job.started_at = job.finished_at
