"""An episode in progress put back into another environment goes on exactly as the original
(CartPole, the car); LunarLander's Box2D world is said not to be restorable."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.rl.common import CAR_ENV_ID, make_env
from braintank.rl.episode_state import restore_episode, save_episode


@pytest.mark.parametrize("env_id", ["CartPole-v1", CAR_ENV_ID])
def test_a_saved_episode_goes_on_in_another_environment(env_id):
    actions = [0, 1, 1, 0, 1, 0, 0, 1]
    original = make_env(env_id)
    original.reset(seed=7)
    for action in actions[:3]:
        original.step(action)
    saved = save_episode(original)
    copy = make_env(env_id)
    copy.reset(seed=99)  # another episode entirely
    assert restore_episode(copy, saved)
    for action in actions[3:]:
        a, b = original.step(action), copy.step(action)
        assert np.array_equal(a[0], b[0]) and a[1:4] == b[1:4]
        if a[2]:
            break


def test_box2d_episodes_are_not_restorable():
    env = make_env("LunarLander-v3")
    env.reset(seed=0)
    assert save_episode(env) is None
    assert restore_episode(env, None) is False
