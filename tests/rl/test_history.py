"""Observation stacking (rl/history.py): the history's order and padding, and a stacked car
agent that trains, loads with the wider input and forgets between episodes."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.rl import dqn, load_agent, reinforce
from braintank.rl.common import CAR_ENV_ID, make_env, run_episode
from braintank.rl.history import ObservationHistory


def test_the_first_observation_fills_every_slot_then_the_oldest_leaves_first():
    history = ObservationHistory(3)
    assert history.push([1.0, 2.0]).tolist() == [1, 2, 1, 2, 1, 2]
    assert history.push([3.0, 4.0]).tolist() == [1, 2, 1, 2, 3, 4]
    assert history.push([5.0, 6.0]).tolist() == [1, 2, 3, 4, 5, 6]
    assert history.push([7.0, 8.0]).tolist() == [3, 4, 5, 6, 7, 8]
    history.clear()
    assert history.push([9.0, 9.0]).tolist() == [9] * 6


def test_one_frame_is_the_observation_itself():
    observation = np.arange(4, dtype=np.float32)
    assert np.array_equal(ObservationHistory(1).push(observation), observation)


@pytest.mark.parametrize("module", [dqn, reinforce])
def test_a_stacked_car_agent_sees_four_observations_and_forgets_between_episodes(tmp_path,
                                                                                 module):
    cfg = module.config_for(CAR_ENV_ID, steps=1500, eval_every=1500, eval_episodes=2,
                            frames=4)
    module.train(cfg, tmp_path, progress=False)
    agent = load_agent(tmp_path)
    first = next(iter(agent.__dict__["q" if module is dqn else "policy"].parameters()))
    assert first.shape[1] == 4 * 20
    env = make_env(CAR_ENV_ID)
    # the same map twice, a different one between: memory from the other map must not leak
    once = run_episode(agent, env, seed=1000)
    run_episode(agent, env, seed=1001)
    assert run_episode(agent, env, seed=1000) == once


def test_frames_is_checked_with_a_one_line_error():
    with pytest.raises(BraintankError, match="frames"):
        reinforce.Config(env=CAR_ENV_ID, frames=0).validate()
