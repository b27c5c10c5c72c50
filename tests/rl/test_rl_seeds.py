"""benchmarks/rl_seeds.py end to end on a tiny car recipe: every seed trained, both policies
played on the same maps, the car's endings counted, the curves drawn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "rl_seeds.py"


def test_seeds_report_on_the_car_counts_how_episodes_end(tmp_path):
    command = [sys.executable, str(SCRIPT), "reinforce", "--env", "BraintankCar-v0",
               "--seeds", "0", "1", "--steps", "600", "--episodes", "4",
               "--out", str(tmp_path / "runs"), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert [row["seed"] for row in report["seeds"]] == [0, 1]
    for row in report["seeds"]:
        for which in ("final", "kept"):
            ends = [row[which][end] for end in ("refuelled", "crashed", "out_of_time")]
            assert sum(ends) == pytest.approx(1.0)
    assert set(report["kept"]["crashed"]) == {"mean", "std", "ci95_low", "ci95_high"}
    assert (tmp_path / "runs" / "curves.png").stat().st_size > 0
