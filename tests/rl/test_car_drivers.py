"""The scripted car drivers: the whole-map planner's route drives exactly as planned on the
real environment, and is the shortest; the headlight rules beat random driving."""

from __future__ import annotations

import numpy as np

from braintank.rl.car_drivers import HeadlightDriver, MapDriver, plan_route
from braintank.rl.car_env import SIZE, STATION, CarEnv


def _drive(env: CarEnv, driver, seed: int) -> dict:
    observation, _ = env.reset(seed=seed)
    if hasattr(driver, "start"):
        driver.start(env)
    for steps in range(1, 501):
        observation, _, terminated, _, info = env.step(driver.act(observation))
        if terminated:
            return {**info, "steps": steps}
    return {"crashed": False, "refuelled": False, "steps": 500}


def test_the_planned_route_reaches_the_station_on_the_real_car():
    env = CarEnv()
    for seed in range(4):
        env.reset(seed=seed)
        route = plan_route(env.grid, env.position.copy(), env.heading)
        assert route is not None, seed
        result = _drive(env, MapDriver(), seed)
        assert result["refuelled"] and result["steps"] == len(route), (seed, result)


def test_no_route_when_the_station_is_walled_in():
    env = CarEnv()
    env.reset(seed=3)
    grid = env.grid.copy()
    station = np.argwhere(grid == STATION)
    (x0, y0), (x1, y1) = station.min(0), station.max(0)
    grid[max(x0 - 1, 0):min(x1 + 2, SIZE), max(y0 - 1, 0):min(y1 + 2, SIZE)] = -1
    grid[x0:x1 + 1, y0:y1 + 1] = STATION
    assert plan_route(grid, env.position.copy(), env.heading, resolution=1.0) is None


def test_no_route_is_shorter_than_a_straight_line_allows():
    env = CarEnv()
    env.reset(seed=5)
    route = plan_route(env.grid, env.position.copy(), env.heading)
    station = np.argwhere(env.grid == STATION) + 0.5
    nearest = np.linalg.norm(station - env.position, axis=1).min()
    assert len(route) >= np.floor(nearest - 1)


def test_headlight_rules_refuel_more_often_than_random_driving():
    env = CarEnv()
    rules = [_drive(env, HeadlightDriver(), 3000 + i)["refuelled"] for i in range(30)]
    rng = np.random.default_rng(0)

    class Random:
        def act(self, observation):
            return int(rng.integers(3))

    chance = [_drive(env, Random(), 3000 + i)["refuelled"] for i in range(30)]
    assert sum(rules) >= sum(chance) + 8, (sum(rules), sum(chance))
