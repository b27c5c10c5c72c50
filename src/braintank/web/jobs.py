"""Reading uploaded scans in the background, one batch at a time, with progress to show.

Each page is committed on its own by the sheet reader (sheets.batch), so a server killed
mid-batch keeps every page it finished; the batch's progress lives in memory only.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from braintank.errors import BraintankError
from braintank.sheets.batch import read_batch
from braintank.sheets.store import SheetStore
from braintank.web.config import WebConfig


@dataclass
class ReadJob:
    id: int
    files: list[tuple[str, str]]            # (server path, name as uploaded)
    state: str = "queued"                   # queued | reading | done | failed
    files_done: int = 0
    pages_read: int = 0
    pages_skipped: int = 0
    failed: list[str] = field(default_factory=list)
    sheet_ids: list[int] = field(default_factory=list)
    current: str | None = None
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None

    def to_dict(self) -> dict:
        fields = asdict(self)
        fields["files"] = [name for _path, name in self.files]
        fields["files_total"] = len(self.files)
        return fields


class ReadingWorker:
    """One thread reading the queued batches with the server's classifier."""

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

    def stop(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                self._read(job)
            except BraintankError as exc:  # the store itself failed: the batch stops
                with self._lock:
                    job.state, job.error = "failed", str(exc)
            finally:
                job.finished_at = time.time()

    def _read(self, job: ReadJob) -> None:
        job.state, job.started_at = "reading", time.time()
        with SheetStore(self.config.db, wal=True) as store:
            for path, name in job.files:
                job.current = name
                report = read_batch([path], store, self.classifier, log=lambda _m: None)
                with self._lock:
                    job.pages_read += report.read
                    job.pages_skipped += report.skipped
                    job.failed += [message.replace(path, name)
                                   for _f, _p, message in report.failed]
                    job.sheet_ids += report.sheet_ids
                    job.files_done += 1
        with self._lock:
            job.state, job.current = "done", None
