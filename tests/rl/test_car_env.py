"""The course's car as a Gymnasium environment."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from braintank.rl.car_env import OBSTACLE, STATION, CarEnv
from braintank.rl.common import CAR_ENV_ID, CAR_GRID_ENV_ID, make_env, preset_for


@pytest.mark.parametrize("env_id", [CAR_ENV_ID, CAR_GRID_ENV_ID])
def test_gymnasium_env_checker_passes(env_id):
    check_env(make_env(env_id, render_mode="rgb_array").unwrapped, skip_render_check=False)


def test_the_grid_car_sees_the_cells_whose_column_sums_the_car_sees():
    grid_env, car_env = make_env(CAR_GRID_ENV_ID), make_env(CAR_ENV_ID)
    for seed in range(3):
        grid, _ = grid_env.reset(seed=seed)
        sums, _ = car_env.reset(seed=seed)  # the same map, start and headlights
        for action in (0, 2, 1, 2):
            assert grid.shape == (200,) and set(np.unique(grid)) <= {-1.0, 0.0, 1.0}
            np.testing.assert_array_equal(grid.reshape(10, 20), grid_env.unwrapped.headlights())
            np.testing.assert_array_equal(grid.reshape(10, 20).sum(axis=0), sums)
            grid, reward_grid, *_ = grid_env.step(action)
            sums, reward_sums, *_ = car_env.step(action)
            assert reward_grid == reward_sums


def test_an_unknown_view_is_refused():
    with pytest.raises(ValueError, match="view must be one of sums, grid"):
        CarEnv(view="pixels")


def test_both_cars_take_the_car_recipe_and_the_lit_matrix_its_own_changes():
    presets = {CAR_ENV_ID: {"frames": 4, "lr": 1e-3}, CAR_GRID_ENV_ID: {"frames": 1},
               "CartPole-v1": {"lr": 5e-3}}
    assert preset_for(presets, CAR_ENV_ID) == {"frames": 4, "lr": 1e-3}
    assert preset_for(presets, CAR_GRID_ENV_ID) == {"frames": 1, "lr": 1e-3}
    assert preset_for({CAR_ENV_ID: {"lr": 1e-3}}, CAR_GRID_ENV_ID) == {"lr": 1e-3}
    assert preset_for(presets, "CartPole-v1") == {"lr": 5e-3}
    assert preset_for(presets, "LunarLander-v3") == {}


def test_observation_is_the_column_sums_of_the_headlights():
    env = CarEnv()
    for seed in range(20):
        observation, _ = env.reset(seed=seed)
        view = env.headlights()
        assert view.shape == (10, 20) and set(np.unique(view)) <= {-1, 0, 1}
        assert np.array_equal(observation, view.sum(axis=0))
        assert observation.shape == (20,) and np.abs(observation).max() <= 10


def test_driving_into_a_wall_crashes_and_reaching_the_station_refuels():
    env = CarEnv()
    env.reset(seed=0)
    env.grid[:] = 0
    env.grid[20:, :] = OBSTACLE
    env.position, env.heading = np.array([18.5, 10.5]), 0.0  # facing the wall, 1.5 away
    _, reward, terminated, truncated, info = env.step(2)
    assert not terminated and reward < 0  # the wall fills the nearest headlight rows
    _, reward, terminated, _, info = env.step(2)
    assert terminated and not truncated and info["crashed"] and reward == -100
    env.grid[:] = 0
    env.grid[20:, :] = STATION
    env.position, env.heading = np.array([19.5, 10.5]), 0.0
    _, reward, terminated, _, info = env.step(2)
    assert terminated and info["refuelled"] and reward == 100


def test_registered_with_a_time_limit_and_renders_rgb():
    env = make_env(CAR_ENV_ID, render_mode="rgb_array")
    assert env.spec.max_episode_steps == 500
    env.reset(seed=1)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.shape == (320, 320, 3)
    assert set(range(3)) == set(env.action_space.sample() for _ in range(100))


def test_shipped_dqn_car_beats_driving_at_random():
    from braintank.rl import load_agent
    from braintank.rl.common import evaluate

    class Random:
        env_id = CAR_ENV_ID
        rng = np.random.default_rng(0)

        def act(self, observation):
            return int(self.rng.integers(3))

    agent = load_agent("dqn-car")
    # the course's 150 hidden units, on the last `frames` observations of 20 sums each
    assert agent.q[0].in_features == 20 * agent.history.frames and agent.q[0].out_features == 150
    learned = evaluate(agent, 20, seed=1000)["mean_return"]
    assert learned > evaluate(Random(), 20, seed=1000)["mean_return"] + 40


def test_shipped_reinforce_car_beats_driving_at_random():
    from braintank.rl import load_agent
    from braintank.rl.common import evaluate

    agent = load_agent("reinforce-car")
    rng = np.random.default_rng(0)

    class Random:
        env_id = CAR_ENV_ID

        def act(self, observation):
            return int(rng.integers(3))

    learned = evaluate(agent, 20, seed=1000)["mean_return"]
    assert learned > evaluate(Random(), 20, seed=1000)["mean_return"] + 40


def test_shipped_dqn_on_the_lit_grid_refuels_and_rarely_crashes():
    from braintank.rl import load_agent
    from braintank.rl.car_drivers import outcomes

    agent = load_agent("dqn-car-grid")
    assert agent.env_id == CAR_GRID_ENV_ID
    assert agent.q[0].in_features == 200 * agent.history.frames  # the whole matrix, 4 times
    ends = outcomes(agent, 20, 1000, env_id=CAR_GRID_ENV_ID)  # 95% and 5% on these maps
    assert ends["refuelled"] >= 0.85 and ends["crashed"] <= 0.15


def test_shipped_reinforce_on_the_lit_grid_refuels_and_rarely_crashes():
    from braintank.rl import load_agent
    from braintank.rl.car_drivers import outcomes

    agent = load_agent("reinforce-car-grid")
    assert agent.env_id == CAR_GRID_ENV_ID and agent.history.frames == 1
    ends = outcomes(agent, 50, 1000, env_id=CAR_GRID_ENV_ID)  # 88% and 12% on these maps
    assert ends["refuelled"] >= 0.8 and ends["crashed"] <= 0.16


def test_an_agent_is_played_on_its_own_car_unless_told():
    from braintank.rl import load_agent
    from braintank.rl.car_drivers import outcomes

    agent = load_agent("reinforce-car-grid")  # 200 inputs: it cannot drive on the 20 sums
    assert outcomes(agent, 5, 1000) == outcomes(agent, 5, 1000, env_id=CAR_GRID_ENV_ID)
