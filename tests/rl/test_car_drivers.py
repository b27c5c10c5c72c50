"""The scripted car drivers: the whole-map planner's route drives exactly as planned on the
real environment, and is the shortest; the headlight rules beat random driving; the lit-matrix
driver's local map puts every lit cell where the car sees it, and it refuels on most maps."""

from __future__ import annotations

import numpy as np

from braintank.rl.car_drivers import (
    LOCAL_CAR,
    MARGINS,
    HeadlightDriver,
    LitMatrixDriver,
    MapDriver,
    local_map,
    plan_route,
)
from braintank.rl.car_env import SIZE, STATION, CarEnv, map_values, point_value


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


def test_point_value_is_map_values_at_one_point():
    grid = CarEnv()
    grid.reset(seed=7)
    points = np.random.default_rng(0).uniform(-3, SIZE + 3, size=(500, 2))
    assert [point_value(grid.grid, p) for p in points] == list(map_values(grid.grid, points))


def test_the_local_map_holds_each_lit_cell_where_the_car_sees_it():
    # Seen from LOCAL_CAR, heading along +x, each headlight sample must read the value the
    # real car reads there: a mirrored or shifted local map would steer into walls.
    env = CarEnv(view="grid")
    local = CarEnv(view="grid")
    for seed in range(5):
        observation, _ = env.reset(seed=seed)
        local.grid = local_map(observation.reshape(10, 20), margin=MARGINS[-1])
        local.position, local.heading = LOCAL_CAR.copy(), 0.0
        assert (local.headlights() == env.headlights()).all(), seed
        for _ in range(3):      # after turns too
            observation, *_ = env.step(0)
        local.grid = local_map(observation.reshape(10, 20), margin=MARGINS[-1])
        assert (local.headlights() == env.headlights()).all(), seed


def test_the_margin_keeps_the_car_off_cells_next_to_a_lit_wall():
    lit = np.zeros((10, 20))
    lit[5, 10] = -1
    wide, none = local_map(lit, MARGINS[0]), local_map(lit, MARGINS[-1])
    assert (wide == -1).sum() - (none == -1).sum() == 8


def test_the_lit_matrix_driver_refuels_on_most_maps_and_rarely_crashes():
    env = CarEnv(view="grid")
    ends = [_drive(env, LitMatrixDriver(), 3000 + i) for i in range(12)]
    assert sum(e["refuelled"] for e in ends) >= 9, ends
    assert sum(e["crashed"] for e in ends) <= 2, ends
