"""Many people answering one cell at once: the answer in force is the one logged last, and
it is also the latest by time, by one rule in one transaction (40 parallel answers kept "3"
while "8" was recorded 16 ms later). Real SQLite, one connection per thread, as the server's
requests each open the store."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.store import SheetStore

ANSWERS = 40


def _store(path) -> int:
    with SheetStore(path, wal=True) as store:
        cells = [CellReading(1, 1, None, 0.4, "review", "low", guess=3,
                             crop=np.full((20, 20), 200, np.uint8))]
        return store.save_page("a" * 64, 1, "scan.png", PageReading("1x1-00", cells), "m")


@pytest.mark.parametrize("round_", range(3))
def test_the_answer_in_force_is_the_latest_logged_and_the_latest_in_time(tmp_path, round_):
    path = tmp_path / "r.db"
    sheet = _store(path)
    start = threading.Barrier(ANSWERS)
    errors: list[BaseException] = []

    def answer(digit: int, who: str) -> None:
        try:
            with SheetStore(path, timeout=30, wal=True) as store:
                start.wait()
                store.correct(sheet, 1, 1, digit, who=who)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(i % 10, f"p{i}")) for i in range(ANSWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    with SheetStore(path) as store:
        log = store.query("SELECT id, digit, who, corrected_at FROM correction_log ORDER BY id")
        (kept,) = store.query("SELECT digit, who, corrected_at FROM corrections")
    assert len(log) == ANSWERS
    times = [row[3] for row in log]
    assert times == sorted(times), "an answer logged later was given an earlier time"
    assert kept == log[-1][1:], "the answer in force is not the last one logged"
    assert kept[2] == max(times)
