"""Monte-Carlo control on Blackjack against Thorp's basic strategy (Sutton & Barto, Ex. 5.3)."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.rl import load_agent
from braintank.rl.common import evaluate
from braintank.rl.mc_blackjack import Config, optimal_q, train

STICK, HIT = 0, 1


def thorp(player: int, dealer: int, usable_ace: bool) -> int:
    """Thorp's basic strategy reduced to hit/stick (no doubling or splitting); dealer 1 = ace."""
    if usable_ace:
        if player >= 19:
            return STICK
        if player == 18:
            return STICK if 2 <= dealer <= 8 else HIT
        return HIT
    if player >= 17:
        return STICK
    if player >= 13:
        return STICK if 2 <= dealer <= 6 else HIT
    return STICK if 4 <= dealer <= 6 else HIT


def thorp_table() -> np.ndarray:
    """(usable ace, player 12..21, dealer 1..10), as BlackjackAgent.policy() lays it out."""
    return np.array([[[thorp(p, d, bool(u)) for d in range(1, 11)] for p in range(12, 22)]
                     for u in (0, 1)])


def test_exact_solution_is_thorps_basic_strategy():
    exact = optimal_q().argmax(-1).transpose(2, 0, 1)
    assert (exact == thorp_table()).all()


def test_short_training_beats_a_random_policy(tmp_path):
    train(Config(steps=5000, log_every=1000), tmp_path / "bj", progress=False)
    agent = load_agent(tmp_path / "bj")

    class Random:
        env_id = "Blackjack-v1"
        rng = np.random.default_rng(0)

        def act(self, observation):
            return int(self.rng.integers(2))

    learned = evaluate(agent, 2000, seed=0)["mean_return"]
    random = evaluate(Random(), 2000, seed=0)["mean_return"]
    assert learned > random + 0.1
    for name in ("curve.png", "values.png", "policy.png", "returns.jsonl"):
        assert (tmp_path / "bj" / name).stat().st_size > 0


def test_shipped_policy_matches_thorp_except_the_book_notch_and_near_ties():
    """Sutton & Barto find Thorp's strategy "with the exception of the leftmost notch in the
    policy for a usable ace" (dealer showing an ace). Elsewhere the learned policy must agree
    with Thorp, except where hitting and sticking are worth almost the same (exactly computed
    gap under 0.02, below the Monte-Carlo noise of the table)."""
    agent = load_agent("mc-blackjack")
    learned = agent.policy()
    exact_q = optimal_q()
    gap = np.abs(exact_q[..., STICK] - exact_q[..., HIT]).transpose(2, 0, 1)
    differs = learned != thorp_table()
    notch = np.zeros_like(differs)
    notch[1, :, 0] = True  # usable ace, dealer showing an ace
    unexplained = differs & ~notch & (gap >= 0.02)
    assert not unexplained.any(), np.argwhere(unexplained)
    assert differs.sum() <= 4


@pytest.mark.slow
def test_shipped_agent_plays_close_to_optimal():
    result = evaluate(load_agent("mc-blackjack"), 20_000, seed=1000)
    assert result["mean_return"] > -0.07  # optimal play of these rules loses about 4.6%
