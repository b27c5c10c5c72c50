"""Every benchmark script starts and explains itself: `--help` prints usage and exits 0.

Benchmarks run rarely and by hand, so a broken import or help text (a bare % in an argparse
help string, say) would otherwise go unnoticed until someone needs the numbers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("*.py"))


def test_the_benchmarks_folder_is_found():
    assert "time_to_99.py" in SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_script_answers_help(script):
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), "--help"],
                          capture_output=True, text=True, timeout=120, cwd=BENCHMARKS)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout


def test_every_benchmark_script_is_listed_in_the_benchmarks_readme():
    listed = (BENCHMARKS / "README.md").read_text(encoding="utf-8")
    assert [s for s in SCRIPTS if f"`{s}`" not in listed] == []
