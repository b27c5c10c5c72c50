"""benchmarks/rl_car_view.py: the car variant that sees its whole headlight grid, and the
benchmark end to end on a tiny run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_the_grid_car_sees_the_cells_whose_column_sums_the_car_sees():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from rl_car_view import GRID_ENV_ID, register
    finally:
        sys.path.remove(str(BENCHMARKS))
    from braintank.rl.common import CAR_ENV_ID, make_env

    register()
    grid_env, car_env = make_env(GRID_ENV_ID), make_env(CAR_ENV_ID)
    for seed in range(3):
        grid, _ = grid_env.reset(seed=seed)
        sums, _ = car_env.reset(seed=seed)  # the same map, start and headlights
        for action in (0, 2, 1, 2):
            assert grid.shape == (200,) and set(np.unique(grid)) <= {-1.0, 0.0, 1.0}
            np.testing.assert_array_equal(grid.reshape(10, 20).sum(axis=0), sums)
            grid, reward_g, *_ = grid_env.step(action)
            sums, reward_s, *_ = car_env.step(action)
            assert reward_g == reward_s


@pytest.mark.parametrize("algo", ["reinforce", "dqn"])
def test_view_benchmark_trains_and_counts_both_policies(tmp_path, algo):
    command = [sys.executable, str(BENCHMARKS / "rl_car_view.py"), "--algo", algo,
               "--seed", "0", "--steps", "1200", "--episodes", "4",
               "--out", str(tmp_path / "run")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert (report["algo"], report["env"]) == (algo, "BraintankCarLitGrid-v0")
    for which in ("final", "kept"):
        ends = [report[which][end] for end in ("refuelled", "crashed", "out_of_time")]
        assert sum(ends) == pytest.approx(1.0) and report[which]["episodes"] == 4
    assert json.loads((tmp_path / "run" / "agent.json").read_text())["config"]["frames"] == 4
