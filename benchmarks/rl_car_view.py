"""How much the car's observation costs: the same learner, seeing the whole lit grid.

The course's car sees the column sums of its 10 x 20 headlight grid (20 numbers), which hide
how far ahead an obstacle is and let a station cell cancel an obstacle cell in the same
column. This benchmark trains the same car recipe (`config_for` of REINFORCE or DQN on the
car: last 4 observations, 300k or 200k steps) on a variant of the car that sees the grid
itself (200 cells, each -1, 0 or 1) and nothing else: the same maps, moves, rewards and time
limit. Its crash and refuel rates on the unseen maps 1000-1099, beside the recipe's on the
course's observation, tell whether the issue's goal (crash on at most 15% of maps) is out of
reach of the learner or of the 20 sums.

The variant is registered, in this process only, as `BraintankCarLitGrid-v0`; the command
does not ship it.

    python benchmarks/rl_car_view.py [--algo reinforce|dqn] --seed 0 --out runs/car-view/seed0
        [--steps N] [--episodes 100]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import gymnasium as gym
import numpy as np

from braintank.rl import dqn, reinforce
from braintank.rl.car_drivers import outcomes
from braintank.rl.car_env import VIEW_COLS, VIEW_ROWS, CarEnv
from braintank.rl.common import CAR_ENV_ID, CHECKPOINT_FILE, MODEL_FILE, load_torch

GRID_ENV_ID = "BraintankCarLitGrid-v0"


class LitGridCar(CarEnv):
    """The course's car, observing its whole headlight grid (row 0 nearest) flattened."""

    def __init__(self, render_mode: str | None = None) -> None:
        super().__init__(render_mode)
        self.observation_space = gym.spaces.Box(-1.0, 1.0, shape=(VIEW_ROWS * VIEW_COLS,),
                                                dtype=np.float32)

    def _observation(self, view: np.ndarray) -> np.ndarray:
        return view.reshape(-1).astype(np.float32)


def register() -> None:
    if GRID_ENV_ID not in gym.registry:
        gym.register(id=GRID_ENV_ID, entry_point=LitGridCar, max_episode_steps=500)


def agent_from(folder: Path, algo: str, cfg, file: str):
    """The policy stored in `file` (model.pt: kept; checkpoint.pt: final) of a run."""
    inputs = VIEW_ROWS * VIEW_COLS * cfg.frames
    saved = load_torch(folder / file, checkpoint=file == CHECKPOINT_FILE)
    if algo == "dqn":
        q = dqn.q_network(inputs, 3, cfg.hidden)
        q.load_state_dict(saved["q"])
        return dqn.DQNAgent(q, GRID_ENV_ID, cfg.frames)
    policy = reinforce.policy_network(inputs, 3, cfg.hidden)
    policy.load_state_dict(saved["policy"])
    return reinforce.PolicyAgent(policy, GRID_ENV_ID, cfg.frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algo", choices=("reinforce", "dqn"), default="reinforce")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, help="default: the car recipe's")
    parser.add_argument("--episodes", type=int, default=100)
    args = parser.parse_args()
    register()
    overrides = {"seed": args.seed} | ({"steps": args.steps} if args.steps else {})
    learner = dqn if args.algo == "dqn" else reinforce
    cfg = learner.config_for(CAR_ENV_ID, **overrides).replace(env=GRID_ENV_ID)
    if not (args.out / MODEL_FILE).is_file():
        learner.train(cfg, args.out)
    report = {"algo": args.algo, "env": GRID_ENV_ID, "seed": args.seed, "steps": cfg.steps}
    for name, file in (("final", CHECKPOINT_FILE), ("kept", MODEL_FILE)):
        report[name] = outcomes(agent_from(args.out, args.algo, cfg, file), args.episodes,
                                1000, env_id=GRID_ENV_ID)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
