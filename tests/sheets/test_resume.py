"""A read killed mid-batch keeps every page it finished; running it again finishes the rest."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
from conftest import model_path


def _read_pages(db) -> list[tuple[str, float]]:
    if not db.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT file, read_at FROM sheets WHERE status = 'read'"
                                " ORDER BY file").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def test_kill_during_batch_then_resume(tmp_path, layout, mnist_test, classifier):
    from braintank.sheets.simulating.simulate import simulate_sheet

    images, labels = mnist_test
    files = []
    for i in range(4):  # four different sheets: the same page twice is read once
        target = tmp_path / f"scan{i}.jpg"
        sheet = simulate_sheet(layout, images, labels, np.random.default_rng(500 + i), dpi=200)
        target.write_bytes(sheet.data)
        files.append(str(target))
    db, out = tmp_path / "r.db", tmp_path / "r.csv"
    cmd = [sys.executable, "-m", "braintank.cli.main", "sheet", "read", *files, "--db",
           str(db), "--out", str(out), "--model", str(model_path())]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.time() + 120
    while time.time() < deadline and len(_read_pages(db)) < 1 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the batch finished before it could be killed"
    done = _read_pages(db)
    assert 1 <= len(done) < len(files)
    conn = sqlite3.connect(db)
    counts = conn.execute("SELECT s.file, COUNT(c.id) FROM sheets s JOIN cells c "
                          "ON c.sheet_id = s.id GROUP BY s.id").fetchall()
    conn.close()
    assert all(n == 100 for _, n in counts)  # no half-stored page
    assert not out.exists()

    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"{len(done)} already in" in result.stdout
    after = dict(_read_pages(db))
    assert len(after) == len(files)
    assert all(after[f] == t for f, t in done)  # finished pages were not read again
    assert len(out.read_text().splitlines()) == 1 + 100 * len(files)
