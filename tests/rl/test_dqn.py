"""DQN pieces: replay buffer, ε schedule, target sync, TD targets at truncation vs termination."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from braintank.rl import dqn, load_agent
from braintank.rl.common import evaluate


def test_replay_buffer_wraps_around_and_samples_what_was_stored():
    buffer = dqn.ReplayBuffer(capacity=5, obs_size=2)
    for i in range(7):
        buffer.add([i, i], i % 2, float(i), [i + 1, i + 1], terminated=(i == 6))
    assert buffer.size == 5 and buffer.pos == 2
    assert sorted(buffer.rewards.tolist()) == [2.0, 3.0, 4.0, 5.0, 6.0]  # 0 and 1 overwritten
    batch = buffer.sample(64, np.random.default_rng(0))
    assert batch["obs"].shape == (64, 2)
    assert torch.equal(batch["next_obs"][:, 0], batch["obs"][:, 0] + 1)
    assert torch.equal(batch["terminated"], (batch["rewards"] == 6.0).float())


def test_epsilon_decays_linearly_then_stays():
    cfg = dqn.Config(steps=1000, eps_start=1.0, eps_end=0.1, eps_fraction=0.5)
    assert dqn.epsilon(0, cfg) == 1.0
    assert dqn.epsilon(250, cfg) == pytest.approx(0.55)
    assert dqn.epsilon(500, cfg) == pytest.approx(0.1)
    assert dqn.epsilon(999, cfg) == pytest.approx(0.1)


def test_target_network_moves_only_when_synced():
    q = dqn.q_network(4, 2, [8])
    target = dqn.q_network(4, 2, [8])
    x = torch.ones(1, 4)
    assert not torch.allclose(q(x), target(x))
    dqn.sync_target(q, target)
    assert torch.allclose(q(x), target(x))
    with torch.no_grad():
        q[0].weight.add_(1.0)
    assert not torch.allclose(q(x), target(x))  # a copy, not the same tensors


def test_truncated_transition_bootstraps_and_terminated_does_not():
    q = dqn.q_network(1, 2, [4])
    target = dqn.q_network(1, 2, [4])
    batch = {"next_obs": torch.tensor([[1.0], [1.0]]), "rewards": torch.tensor([1.0, 1.0]),
             "terminated": torch.tensor([1.0, 0.0])}  # the second was cut by the time limit
    targets = dqn.td_targets(batch, q, target, gamma=0.9, double=False)
    assert targets[0] == 1.0
    expected = 1.0 + 0.9 * target(torch.tensor([[1.0]])).max().detach()
    assert targets[1] == pytest.approx(float(expected))


def test_training_stores_the_real_last_observation_at_truncation(tmp_path, monkeypatch):
    """With a 20-step limit CartPole episodes get cut: the buffer must hold them as not
    terminated, and their next state must not be the next episode's first state."""
    seen = []
    original = dqn.ReplayBuffer.add

    def spy(self, obs, action, reward, next_obs, terminated):
        seen.append((np.array(obs), np.array(next_obs), terminated))
        original(self, obs, action, reward, next_obs, terminated)

    monkeypatch.setattr(dqn.ReplayBuffer, "add", spy)
    import gymnasium as gym

    def short_cartpole(env_id, render_mode=None, **kwargs):
        return gym.make("CartPole-v1", max_episode_steps=20)

    monkeypatch.setattr(dqn, "make_env", short_cartpole)
    cfg = dqn.Config(steps=200, learning_starts=50, eval_every=10_000, eps_start=0.0,
                     eps_end=0.0)
    dqn.train(cfg, tmp_path / "run", progress=False)
    for (_, next_obs, terminated), (following, _, _) in zip(seen[19::20], seen[20::20],
                                                            strict=False):
        assert not terminated
        assert not np.allclose(next_obs, following)


def test_short_cartpole_training_beats_random(tmp_path):
    cfg = dqn.config_for("CartPole-v1", steps=6000, learning_starts=500, eps_fraction=0.5,
                         eval_every=3000, hidden=[64], lr=1e-3, train_every=1,
                         target_every=200)
    dqn.train(cfg, tmp_path / "dqn", progress=False)
    result = evaluate(load_agent(tmp_path / "dqn"), 10, seed=1000)
    assert result["mean_return"] > 60  # random play: about 22
    assert (tmp_path / "dqn" / "curve.png").is_file()


def test_shipped_cartpole_agent_balances():
    assert evaluate(load_agent("dqn-cartpole"), 5, seed=1000)["mean_return"] >= 475


@pytest.mark.slow
def test_shipped_cartpole_agent_reaches_the_goal():
    assert evaluate(load_agent("dqn-cartpole"), 100, seed=1000)["mean_return"] >= 475


def test_divergence_stops_with_a_clear_error_and_keeps_the_checkpoint(tmp_path):
    from braintank.errors import BraintankError

    cfg = dqn.Config(steps=2000, learning_starts=100, train_every=1, eval_every=50, lr=1e30,
                     eval_episodes=1)
    with pytest.raises(BraintankError, match="the DQN loss became .* last checkpoint"):
        dqn.train(cfg, tmp_path / "run", progress=False)
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    assert 100 <= state["step"] < 2000
    assert all(torch.isfinite(v).all() for v in state["q"].values())


def test_a_checkpoint_may_be_larger_than_an_agent(tmp_path, monkeypatch):
    """A checkpoint carries DQN's replay buffer, so it is held to a larger size than an
    agent's weights: a run with a big buffer still resumes."""
    from braintank.errors import BraintankError
    from braintank.rl import common

    path = tmp_path / "checkpoint.pt"
    common.save_torch(path, {"buffer": torch.zeros(400_000)})  # 1.6 MB
    monkeypatch.setattr(common, "MAX_TORCH_BYTES", 2**20)
    with pytest.raises(BraintankError, match="more than an agent's"):
        common.load_torch(path)
    assert common.load_torch(path, checkpoint=True)["buffer"].shape == (400_000,)
    monkeypatch.setattr(common, "MAX_CHECKPOINT_BYTES", 2**20)
    with pytest.raises(BraintankError, match="more than a checkpoint's"):
        common.load_torch(path, checkpoint=True)


@pytest.mark.parametrize("schedule", ["constant", "linear"])
def test_dqn_step_size_schedule(tmp_path, schedule):
    cfg = dqn.Config(steps=2000, learning_starts=200, eval_every=2000, eval_episodes=1,
                     hidden=[16], lr_schedule=schedule)
    dqn.train(cfg, tmp_path, progress=False)
    last = torch.load(tmp_path / "checkpoint.pt", weights_only=False)["optimizer"]
    lr = last["param_groups"][0]["lr"]
    assert lr == cfg.lr if schedule == "constant" else lr < 0.01 * cfg.lr
