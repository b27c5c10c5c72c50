"""A REINFORCE, DQN, A2C or PPO run on CartPole (and DQN on the car) killed at any moment
resumes to exactly the result the uninterrupted run reaches: the same weights, the same kept
agent, the same episode log.

DQN, A2C and PPO checkpoint in the middle of episodes, so their checkpoints carry every random
state and the episodes in progress (rl/episode_state.py), and DQN's its replay buffer."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from braintank.rl import a2c, dqn, ppo, reinforce

STEPS, EVERY = 8000, 1000
RUNS = {
    "a2c": (a2c, "net", dict(env="CartPole-v1", steps=STEPS, eval_every=EVERY,
                             eval_episodes=2, seed=3, num_envs=4, hidden=[32])),
    "ppo": (ppo, "net", dict(env="CartPole-v1", steps=STEPS, eval_every=EVERY,
                             eval_episodes=2, seed=3, num_envs=4, rollout=64, minibatch=64,
                             epochs=2, hidden=[32])),
    # algorithm: (module, weights key, settings)
    "reinforce": (reinforce, "policy", dict(steps=STEPS, eval_every=EVERY, eval_episodes=2,
                                            seed=3)),
    # a buffer smaller than the run, so it wraps around before the kill
    "dqn": (dqn, "q", dict(steps=STEPS, eval_every=EVERY, eval_episodes=2, seed=3,
                           buffer_size=2500, learning_starts=500, target_every=300,
                           hidden=[32])),
    # the car's episode in progress (map, position, heading, time-limit count) and a stacked
    # observation go on from the checkpoint
    "dqn-car": (dqn, "q", dict(env="BraintankCar-v0", steps=STEPS, eval_every=EVERY,
                               eval_episodes=2, seed=5, buffer_size=2500, learning_starts=500,
                               hidden=[16], frames=3)),
}


def episodes(out: Path) -> list[tuple]:
    rows = [json.loads(line) for line in (out / "returns.jsonl").read_text().splitlines()]
    return [(r["step"], r["return"], r["length"]) for r in rows]


def weights(path: Path, key: str) -> dict:
    return torch.load(path, weights_only=True)[key]


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("algo", sorted(RUNS))
def test_a_killed_run_resumes_to_the_uninterrupted_result(tmp_path, algo):
    module, key, settings = RUNS[algo]
    name = module.__name__.rsplit(".", 1)[1]
    whole = tmp_path / "whole"
    module.train(module.Config(**settings), whole, progress=False)
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    code = (f"from pathlib import Path; from braintank.rl import {name}; "
            f"{name}.train({name}.Config(**{settings!r}), Path({str(killed)!r}), "
            f"progress=False)")
    child = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 120
    while not (killed / "checkpoint.pt").is_file() and child.poll() is None:
        assert time.monotonic() < deadline, "no checkpoint within 120 s"
        time.sleep(0.05)
    time.sleep(random.Random().uniform(0.0, 1.5))  # anywhere after the first checkpoint
    child.send_signal(signal.SIGKILL)
    child.wait()
    cut_at = torch.load(killed / "checkpoint.pt", weights_only=True)["step"]
    module.train(module.Config(**settings), killed, resume=True, progress=False)
    assert cut_at <= STEPS
    assert episodes(killed) == episodes(whole)
    assert same(weights(killed / "checkpoint.pt", key), weights(whole / "checkpoint.pt", key))
    assert same(weights(killed / "model.pt", key), weights(whole / "model.pt", key))
    done = [json.loads((f / "agent.json").read_text()) for f in (killed, whole)]
    assert done[0]["best_step"] == done[1]["best_step"]
    assert done[0]["best_validation_return"] == done[1]["best_validation_return"]

