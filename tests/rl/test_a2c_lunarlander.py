"""The shipped A2C agent on LunarLander-v3, on seeds training never used."""

from __future__ import annotations

import pytest

from braintank.rl import load_agent
from braintank.rl.common import evaluate


def test_shipped_lunarlander_agent_lands():
    assert evaluate(load_agent("a2c-lunarlander"), 3, seed=1000)["mean_return"] > 100


@pytest.mark.slow
def test_shipped_lunarlander_agent_reaches_the_goal():
    assert evaluate(load_agent("a2c-lunarlander"), 100, seed=1000)["mean_return"] >= 200
