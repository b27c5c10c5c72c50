"""Q-learning vs SARSA on the cliff (Sutton & Barto, Example 6.6)."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.rl import load_agent
from braintank.rl.cliff import Config, greedy_path, td_target, train, train_both


def test_targets_differ_only_in_the_next_action_used():
    q = np.zeros((3, 2))
    q[1] = [5.0, -2.0]
    assert td_target("q-learning", q, -1.0, 1, 1, False, 1.0) == 4.0  # the best next action
    assert td_target("sarsa", q, -1.0, 1, 1, False, 1.0) == -3.0  # the action to be taken
    assert td_target("sarsa", q, -1.0, 1, 0, True, 1.0) == -1.0  # no bootstrap at the goal


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    out = tmp_path_factory.mktemp("cliff")
    return out, train_both(Config(runs=3, steps=300), out, progress=False)


def test_q_learning_walks_the_edge_and_sarsa_keeps_away(both):
    out, results = both
    assert results["q-learning"]["greedy_path_return"] == -13
    assert -19 <= results["sarsa"]["greedy_path_return"] < -13
    # online, while exploring with ε = 0.1, the safe path earns more than the edge
    assert (results["sarsa"]["mean_online_return_last_100"]
            > results["q-learning"]["mean_online_return_last_100"])
    for name in ("curve.png", "path.png"):
        assert (out / name).stat().st_size > 0
    agent = load_agent(out / "q-learning")
    assert len(greedy_path(agent)[0]) == 14


@pytest.mark.slow
def test_book_figure_numbers(tmp_path):
    """50 runs of 500 episodes: SARSA about -25 online, Q-learning about -50."""
    sarsa = train(Config(algo="sarsa", runs=50), tmp_path / "s", progress=False)
    qlearn = train(Config(algo="q-learning", runs=50), tmp_path / "q", progress=False)
    assert -30 < sarsa["mean_online_return_last_100"] < -20
    assert -60 < qlearn["mean_online_return_last_100"] < -40
    assert qlearn["greedy_path_return"] == -13
