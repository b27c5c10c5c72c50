"""A REINFORCE run on CartPole killed at any moment resumes to exactly the result the
uninterrupted run reaches: the same weights, the same kept agent, the same episode log."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from braintank.rl import reinforce

STEPS, EVERY = 8000, 1000
SETTINGS = dict(steps=STEPS, eval_every=EVERY, eval_episodes=2, seed=3)
CHILD = ("from pathlib import Path; from braintank.rl import reinforce; "
         f"reinforce.train(reinforce.Config(**{SETTINGS!r}), Path(OUT), progress=False)")


def episodes(out: Path) -> list[tuple]:
    rows = [json.loads(line) for line in (out / "returns.jsonl").read_text().splitlines()]
    return [(r["step"], r["return"], r["length"]) for r in rows]


def weights(path: Path) -> dict:
    return torch.load(path, weights_only=True)["policy"]


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_killed_run_resumes_to_the_uninterrupted_result(tmp_path):
    whole = tmp_path / "whole"
    reinforce.train(reinforce.Config(**SETTINGS), whole, progress=False)
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    code = CHILD.replace("OUT", repr(str(killed)))
    child = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 120
    while not (killed / "checkpoint.pt").is_file() and child.poll() is None:
        assert time.monotonic() < deadline, "no checkpoint within 120 s"
        time.sleep(0.05)
    time.sleep(random.Random().uniform(0.0, 1.5))  # anywhere after the first checkpoint
    child.send_signal(signal.SIGKILL)
    child.wait()
    cut_at = torch.load(killed / "checkpoint.pt", weights_only=True)["step"]
    reinforce.train(reinforce.Config(**SETTINGS), killed, resume=True, progress=False)
    assert cut_at <= STEPS
    assert episodes(killed) == episodes(whole)
    assert same(weights(killed / "checkpoint.pt"), weights(whole / "checkpoint.pt"))
    assert same(weights(killed / "model.pt"), weights(whole / "model.pt"))
    done = [json.loads((f / "agent.json").read_text()) for f in (killed, whole)]
    assert done[0]["best_step"] == done[1]["best_step"]
    assert done[0]["best_validation_return"] == done[1]["best_validation_return"]
