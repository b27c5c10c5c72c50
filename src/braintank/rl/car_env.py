"""The course's car (course 8 and 10) as a Gymnasium environment, `BraintankCar-v0`.

A car drives at night on a walled map with obstacles and a gas station. It always moves one
unit per step; each step it turns left, turns right (by `TURN_DEGREES`) or goes straight.
It sees only what its headlights light: a 20 x 10 grid in front of it (20 columns across,
10 rows ahead), each cell 0 (nothing), 1 (gas station) or -1 (wall or obstacle). The
observation is the column sums of that grid, 20 values in [-10, 10], as the course simplifies
it (`view="sums"`, `BraintankCar-v0`); with `view="grid"` (`BraintankCarLitGrid-v0`) it is the
course's state before that simplification, the whole lit matrix, 200 values (row 0 nearest
the car). A new random map is drawn at every reset, so the car cannot learn a map, only how
to use its headlights.

Rewards, as the course describes them (the car "almost collided", R = -8): every step costs
`STEP_COST` plus a penalty for obstacle cells in the three headlight rows nearest the car;
crashing ends the episode with `CRASH_REWARD`, reaching the gas station ends it with
`STATION_REWARD`. Episodes are cut (truncated) after 500 steps by the registration.
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np

SIZE = 40                  # the map is SIZE x SIZE unit cells, walls included
VIEW_COLS, VIEW_ROWS = 20, 10
TURN_DEGREES = 15.0
STEP_COST = -0.1
NEAR_ROWS, NEAR_PENALTY = 3, 0.05   # per obstacle cell in the nearest rows
CRASH_REWARD, STATION_REWARD = -100.0, 100.0
N_OBSTACLES, STATION_SIZE = 8, 6
FREE, OBSTACLE, STATION = 0, -1, 1
LEFT, RIGHT, STRAIGHT = 0, 1, 2
PIXELS = 8                 # render scale: pixels per map cell
VIEWS = ("sums", "grid")   # what the car observes of its headlights


def move(position: np.ndarray, heading: float, action: int) -> tuple[np.ndarray, float]:
    """One step of the car: turn by the action, then one unit forward."""
    turn = {LEFT: TURN_DEGREES, RIGHT: -TURN_DEGREES, STRAIGHT: 0.0}[int(action)]
    heading = (heading + np.radians(turn)) % (2 * np.pi)
    return position + [np.cos(heading), np.sin(heading)], heading


def map_values(grid: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map values at world points (..., 2); everything off the map is a wall."""
    cells = np.floor(points).astype(int)
    inside = ((cells >= 0) & (cells < SIZE)).all(-1)
    values = np.full(points.shape[:-1], OBSTACLE, dtype=np.int8)
    values[inside] = grid[cells[inside][:, 0], cells[inside][:, 1]]
    return values


def point_value(grid: np.ndarray, point: np.ndarray) -> int:
    """`map_values` at one world point, without array overhead (the planners call it for
    every state they try)."""
    x, y = math.floor(point[0]), math.floor(point[1])
    return int(grid[x, y]) if 0 <= x < SIZE and 0 <= y < SIZE else OBSTACLE


class CarEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"], "render_fps": 15}

    def __init__(self, render_mode: str | None = None, view: str = "sums") -> None:
        if view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
        self.render_mode, self.view = render_mode, view
        if view == "sums":
            self.observation_space = gym.spaces.Box(-float(VIEW_ROWS), float(VIEW_ROWS),
                                                    shape=(VIEW_COLS,), dtype=np.float32)
        else:
            self.observation_space = gym.spaces.Box(-1.0, 1.0, shape=(VIEW_ROWS * VIEW_COLS,),
                                                    dtype=np.float32)
        self.action_space = gym.spaces.Discrete(3)
        # headlight sample points in the car's frame: (rows ahead, columns across, xy)
        ahead = np.arange(1, VIEW_ROWS + 1, dtype=np.float64)
        across = np.arange(VIEW_COLS, dtype=np.float64) - (VIEW_COLS - 1) / 2
        self._ahead, self._across = np.meshgrid(ahead, across, indexing="ij")
        self.grid = np.zeros((SIZE, SIZE), dtype=np.int8)
        self.position = np.zeros(2)
        self.heading = 0.0

    # ------------------------------------------------------------ map
    def _draw_map(self) -> None:
        rng = self.np_random
        grid = np.zeros((SIZE, SIZE), dtype=np.int8)
        grid[[0, -1], :] = OBSTACLE
        grid[:, [0, -1]] = OBSTACLE
        for _ in range(N_OBSTACLES):
            w, h = rng.integers(2, 7, size=2)
            x, y = rng.integers(1, SIZE - 1 - w), rng.integers(1, SIZE - 1 - h)
            grid[x:x + w, y:y + h] = OBSTACLE
        sx, sy = rng.integers(2, SIZE - 2 - STATION_SIZE, size=2)
        grid[sx:sx + STATION_SIZE, sy:sy + STATION_SIZE] = STATION
        self.grid = grid

    def _place_car(self) -> None:
        """A random start with free space around it, away from the station."""
        rng = self.np_random
        for _ in range(1000):
            cell = rng.integers(4, SIZE - 4, size=2)
            around = self.grid[cell[0] - 3:cell[0] + 4, cell[1] - 3:cell[1] + 4]
            if (around == FREE).all():
                break
        self.position = cell + 0.5
        self.heading = float(rng.uniform(0, 2 * np.pi))

    # ------------------------------------------------------------ sensing
    def _cell(self, points: np.ndarray) -> np.ndarray:
        return map_values(self.grid, points)

    def _view_points(self) -> np.ndarray:
        forward = np.array([np.cos(self.heading), np.sin(self.heading)])
        right = np.array([np.sin(self.heading), -np.cos(self.heading)])
        return (self.position + self._ahead[..., None] * forward
                + self._across[..., None] * right)

    def headlights(self) -> np.ndarray:
        """The 10 x 20 grid the headlights light (row 0 nearest the car)."""
        return self._cell(self._view_points())

    def _observation(self, lit: np.ndarray) -> np.ndarray:
        if self.view == "sums":
            return lit.sum(axis=0).astype(np.float32)
        return lit.reshape(-1).astype(np.float32)

    # ------------------------------------------------------------ gym API
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._draw_map()
        self._place_car()
        return self._observation(self.headlights()), {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action must be 0 (left), 1 (right) or 2 (straight), got {action}")
        self.position, self.heading = move(self.position, self.heading, action)
        here = point_value(self.grid, self.position)
        view = self.headlights()
        info = {"crashed": here == OBSTACLE, "refuelled": here == STATION}
        if here == OBSTACLE:
            reward, terminated = CRASH_REWARD, True
        elif here == STATION:
            reward, terminated = STATION_REWARD, True
        else:
            near = int((view[:NEAR_ROWS] == OBSTACLE).sum())
            reward, terminated = STEP_COST - NEAR_PENALTY * near, False
        return self._observation(view), float(reward), terminated, False, info

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        colours = np.array([[250, 250, 245], [40, 140, 60], [60, 60, 70]], dtype=np.uint8)
        image = colours[self.grid.astype(int) % 3]                 # FREE, STATION, OBSTACLE
        lit = np.floor(self._view_points().reshape(-1, 2)).astype(int)
        lit = lit[((lit >= 0) & (lit < SIZE)).all(1)]
        image[lit[:, 0], lit[:, 1]] = (image[lit[:, 0], lit[:, 1]] * 0.6
                                       + np.array([255, 220, 60]) * 0.4).astype(np.uint8)
        car = np.clip(np.floor(self.position).astype(int), 0, SIZE - 1)
        image[car[0], car[1]] = [220, 30, 30]
        # x runs left to right, y bottom to top
        return np.repeat(np.repeat(image.transpose(1, 0, 2)[::-1], PIXELS, 0), PIXELS, 1)
