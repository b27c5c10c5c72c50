"""Scripted drivers for the course's car: what its observation allows, and what the map allows.

They give the learners a yardstick on the same unseen maps (`benchmarks/rl_car.py --scripted`):

- `HeadlightDriver` sees exactly what the agents see, the 20 column sums of the headlights,
  and follows three rules: steer towards a column where the gas station outweighs the walls;
  when the road ahead closes in, turn towards the freer side; otherwise go straight.
- `LitMatrixDriver` sees exactly what the `BraintankCarLitGrid-v0` agents see, the 10 x 20
  lit matrix (one, no memory), and plans on it as on a small map: the fewest steps to a lit
  station cell, else to the edge of what it sees, keeping a margin from lit walls.
- `MapDriver` sees the whole map and plans: a breadth-first search over the car's exact
  reachable states (position and heading after each left, right or straight step, by the
  environment's own `move`) for the fewest steps to the station. What it cannot reach, no
  driver can reach in that many steps; it is the ceiling.

All have the agents' `act(observation)`; `MapDriver` also needs `start(env)` after each reset.
`outcomes` plays any of them, or an agent, on the same maps and counts how episodes end.
"""

from __future__ import annotations

import functools
from collections import deque

import numpy as np

from braintank.rl.car_env import (
    FREE,
    LEFT,
    OBSTACLE,
    RIGHT,
    SIZE,
    STATION,
    STRAIGHT,
    TURN_DEGREES,
    VIEW_COLS,
    VIEW_ROWS,
    move,
    point_value,
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
    if not (grid == STATION).any():
        return None                       # nothing to search for
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
            value = point_value(grid, q)
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


class LitMatrixDriver:
    """Sees what the lit-matrix agents see, the 10 x 20 headlight grid and nothing else (no
    memory), and plans on it as `MapDriver` plans on the whole map: the lit cells become a
    local map around the car, everything unlit a wall. It drives the fewest steps to a lit
    station cell; with none in reach, the fewest steps to the edge of what it sees (an unlit
    cell next to a free lit one, ahead or aside), so that it keeps a way out; with neither,
    the headlight rules on the column sums. Routes keep a margin from lit walls, a narrower
    one only where no route keeps the wider (`MARGINS`)."""

    def act(self, observation: np.ndarray) -> int:
        return lit_action(np.asarray(observation, dtype=np.int8).tobytes())


@functools.lru_cache(maxsize=65536)
def lit_action(view: bytes) -> int:
    """LitMatrixDriver's action for one lit matrix (int8 bytes). A pure function of what the
    car sees, so remembered: open ground and the same wall seen again recur often."""
    lit = np.frombuffer(view, dtype=np.int8).reshape(VIEW_ROWS, VIEW_COLS)
    for margin in MARGINS:
        grid = local_map(lit, margin)
        for goal in (grid, with_frontier(grid)):
            route = plan_route(goal, LOCAL_CAR.copy(), 0.0)
            if route:
                return route[0]
    return HeadlightDriver().act(lit.sum(axis=0))


# The car's place on the local map: heading along +x, on the boundary between two cells
# across, so that every headlight sample (rows ahead, columns across) falls in the centre of
# its own cell: row r is x = 2 + r, column c is y = 21 - c.
LOCAL_CAR = np.array([1.5, 12.0])
LIT_AREA = (slice(2, 2 + VIEW_ROWS), slice(22 - VIEW_COLS, 22))   # the local map's lit cells

# The margins kept from lit walls, widest first: every neighbour of a wall cell, the four
# beside it, none. A lit cell is a sample point, not the map's cell: the map's cells lie at an
# angle to the samples, so a wall can end between two of them.
MARGINS = (np.ones((3, 3), dtype=bool),
           np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool),
           np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=bool))


def local_map(lit: np.ndarray, margin: np.ndarray = MARGINS[0]) -> np.ndarray:
    """A SIZE x SIZE map holding the lit cells where `LOCAL_CAR` would see them; the car's own
    cell free, everything else a wall (unknown is not safe). Free cells within `margin` (3 x 3,
    centred) of a lit wall count as wall too."""
    grid = np.full((SIZE, SIZE), OBSTACLE, dtype=np.int8)
    view = lit[:, ::-1].copy()
    padded = np.pad(view == OBSTACLE, 1)
    near = np.zeros(view.shape, dtype=bool)
    for dx, dy in np.argwhere(margin):
        near |= padded[dx:dx + VIEW_ROWS, dy:dy + VIEW_COLS]
    view[near & (view == FREE)] = OBSTACLE
    grid[LIT_AREA] = view
    grid[int(LOCAL_CAR[0]), int(LOCAL_CAR[1])] = FREE
    return grid


def with_frontier(grid: np.ndarray) -> np.ndarray:
    """`grid` with the edge of what the headlights light marked as the goal: every unlit cell
    ahead of the car next to a free lit cell."""
    free = grid == FREE
    near = np.zeros_like(free)
    near[1:] |= free[:-1]
    near[:-1] |= free[1:]
    near[:, 1:] |= free[:, :-1]
    near[:, :-1] |= free[:, 1:]
    unlit = np.ones_like(free)
    unlit[LIT_AREA] = False
    unlit[:LIT_AREA[0].start] = False        # behind the car and beside it: never lit
    goal = grid.copy()
    goal[near & unlit] = STATION
    return goal


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
