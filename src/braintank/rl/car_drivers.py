"""Scripted drivers for the course's car: what its observation allows, and what the map allows.

They give the learners a yardstick on the same unseen maps (`benchmarks/rl_car.py --scripted`):

- `HeadlightDriver` sees exactly what the agents see, the 20 column sums of the headlights,
  and follows three rules: steer towards a column where the gas station outweighs the walls;
  when the road ahead closes in, turn towards the freer side; otherwise go straight.
- `MapDriver` sees the whole map and plans: a breadth-first search over the car's exact
  reachable states (position and heading after each left, right or straight step, by the
  environment's own `move`) for the fewest steps to the station. What it cannot reach, no
  driver can reach in that many steps; it is the ceiling.

Both have the agents' `act(observation)`; `MapDriver` also needs `start(env)` after each reset.
`outcomes` plays any of them, or an agent, on the same maps and counts how episodes end.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from braintank.rl.car_env import (
    LEFT,
    OBSTACLE,
    RIGHT,
    STATION,
    STRAIGHT,
    TURN_DEGREES,
    VIEW_COLS,
    VIEW_ROWS,
    map_values,
    move,
)
from braintank.rl.common import CAR_ENV_ID, make_env
from braintank.rl.interval import share_interval

CENTRE = slice(VIEW_COLS // 2 - 3, VIEW_COLS // 2 + 3)   # the six columns the car drives into
MAX_STEPS = 500                                         # the registration's time limit


class HeadlightDriver:
    """Rules on the 20 headlight sums. A column's sum is (station cells - wall cells) in that
    column; a wall d rows ahead fills the rows behind it too, so a sum near -VIEW_ROWS means
    a wall close by."""

    def __init__(self, near: float = 8.0) -> None:
        # A centre column at or below -(VIEW_ROWS - near) is "closing in"; 8 (a wall in the
        # farthest two rows) was best of 3-9 on maps 2000-2099, which no benchmark reports.
        self.near = near

    def act(self, observation: np.ndarray) -> int:
        sums = np.asarray(observation, dtype=float)
        across = np.arange(VIEW_COLS) - (VIEW_COLS - 1) / 2   # < 0: left of the car
        if sums.max() > 0:                                    # the station, seen
            target = across[int(np.argmax(sums))]
            return STRAIGHT if abs(target) < 1 else (LEFT if target < 0 else RIGHT)
        if sums[CENTRE].min() <= -(VIEW_ROWS - self.near):
            left, right = sums[:VIEW_COLS // 2].sum(), sums[VIEW_COLS // 2:].sum()
            return LEFT if left >= right else RIGHT
        return STRAIGHT


def plan_route(grid: np.ndarray, position: np.ndarray, heading: float,
               resolution: float = 0.5) -> list[int] | None:
    """The fewest actions from (position, heading) to a station cell without entering an
    obstacle, or None if none exists within MAX_STEPS. States are merged on a grid of
    `resolution` cells and 24 headings, but each keeps the exact position it was reached
    with, so the route returned drives exactly as planned."""
    turns = round(360 / TURN_DEGREES)

    def key(p: np.ndarray, h: float) -> tuple[int, int, int]:
        return (int(p[0] // resolution), int(p[1] // resolution),
                round(h / np.radians(TURN_DEGREES)) % turns)

    parents: dict[tuple, tuple | None] = {key(position, heading): None}
    frontier = deque([(position, heading, key(position, heading), 0)])
    while frontier:
        p, h, k, depth = frontier.popleft()
        if depth >= MAX_STEPS:
            continue
        for action in (STRAIGHT, LEFT, RIGHT):
            q, g = move(p, h, action)          # the environment's own motion and map
            value = int(map_values(grid, q[None])[0])
            if value == OBSTACLE:
                continue
            child = key(q, g)
            if value == STATION:
                route = [action]
                while parents[k] is not None:
                    k, a = parents[k]
                    route.append(a)
                return route[::-1]
            if child not in parents:
                parents[child] = (k, action)
                frontier.append((q, g, child, depth + 1))
    return None


class MapDriver:
    """Drives the shortest route it finds on the whole map; straight on if there is none."""

    def __init__(self) -> None:
        self.route_: list[int] = []

    def start(self, env) -> None:
        """Plan from the state `env` (a CarEnv, unwrapped) was just reset to."""
        car = env.unwrapped
        self.route_ = plan_route(car.grid, car.position.copy(), car.heading) or []

    def act(self, observation: np.ndarray) -> int:
        return self.route_.pop(0) if self.route_ else STRAIGHT


def outcomes(driver, episodes: int, seed: int, env_id: str | None = None) -> dict:
    """How `driver` (None: random actions) ends `episodes` greedy episodes on maps seed,
    seed+1, ...: the mean return and the shares refuelled, crashed and out of time, each
    share with its 95% interval (`low`/`high` lists in that order). `env_id`: the car the
    driver sees, the course's (`BraintankCar-v0`) or the lit matrix (`BraintankCarLitGrid-v0`);
    by default a trained agent's own car (its `env_id`), else the course's."""
    env = make_env(env_id or getattr(driver, "env_id", CAR_ENV_ID))
    env.action_space.seed(seed)
    returns, ends = [], {"refuelled": 0, "crashed": 0, "out_of_time": 0}
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)
        if hasattr(driver, "start"):
            driver.start(env)
        total, done = 0.0, False
        while not done:
            action = env.action_space.sample() if driver is None else driver.act(observation)
            observation, reward, terminated, truncated, info = env.step(action)
            total += reward
            done = terminated or truncated
        returns.append(total)
        end = ("refuelled" if info["refuelled"] else "crashed" if info["crashed"]
               else "out_of_time")
        ends[end] += 1
    env.close()
    result = {"mean_return": round(float(np.mean(returns)), 2), "episodes": episodes}
    for end, hits in ends.items():
        share, low, high = share_interval(hits, episodes)
        result[end] = share
        result[f"{end}_ci95"] = [round(low, 3), round(high, 3)]
    return result
