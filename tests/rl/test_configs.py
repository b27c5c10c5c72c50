"""Every RL algorithm's Config is a braintank.config.ConfigBase: what the shipped agents
record reads back unchanged, and a bad setting in agent.json is one line naming the file."""

from __future__ import annotations

import json

import pytest

from braintank.errors import BraintankError
from braintank.rl import a2c, cliff, dqn, mc_blackjack, ppo, reinforce
from braintank.rl.registry import SHIPPED_DIR, shipped_agents

CONFIGS = {"dqn": dqn.Config, "a2c": a2c.Config, "ppo": ppo.Config, "reinforce": reinforce.Config,
           "q-learning": cliff.Config, "sarsa": cliff.Config,
           "mc-blackjack": mc_blackjack.Config}


@pytest.mark.parametrize("name", shipped_agents())
def test_shipped_agent_configs_round_trip(name):
    meta = json.loads((SHIPPED_DIR / name / "agent.json").read_text())
    cfg = CONFIGS[meta["algo"]].from_dict(meta["config"], source=name)
    assert json.loads(json.dumps(cfg.to_dict())) == {**cfg.to_dict(), **meta["config"]}


@pytest.mark.parametrize("settings, fragment", [
    ({"colour": 1}, "agent.json: unknown dqn settings: colour"),
    ({"steps": True}, "agent.json: steps must be a whole number >= 1, got True"),
    ({"seed": 2**32}, "seed must be a whole number from 0 to 4294967295"),
    ({"gamma": 1.5}, "gamma must be >= 0 and <= 1 and finite, got 1.5"),
    ({"hidden": [0]}, "hidden must be 1 to 8 whole numbers, each from 1 to 4096"),
    ({"optimizer": "sgd"}, "unknown optimizer 'sgd' (known: adam, rmsprop)"),
    ({"double": "yes"}, "double must be true or false"),
])
def test_bad_settings_are_one_line_naming_the_file(settings, fragment):
    with pytest.raises(BraintankError) as caught:
        dqn.Config.from_dict(settings, source="agent.json")
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_config_for_validates_and_tabular_methods_are_named():
    assert dqn.config_for("BraintankCar-v0").hidden == [150]
    with pytest.raises(BraintankError, match="learning rate must be > 0"):
        reinforce.config_for("CartPole-v1", lr=0.0)
    with pytest.raises(BraintankError, match="unknown tabular method 'td'"):
        cliff.Config().replace(algo="td")
