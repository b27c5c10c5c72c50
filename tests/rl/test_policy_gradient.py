"""REINFORCE returns and A2C advantages, checked against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from braintank.rl import a2c, load_agent, reinforce, rollout
from braintank.rl.common import ReturnsLog, evaluate, read_returns


def test_discounted_returns_run_backwards():
    assert reinforce.discounted_returns([1.0, 0.0, 2.0], 0.5).tolist() == [1.5, 1.0, 2.0]
    z = reinforce.standardized(np.array([1.0, 2.0, 3.0]))
    assert z.mean() == pytest.approx(0) and z.std() == pytest.approx(1, abs=1e-6)


def test_gae_bootstraps_truncation_but_not_termination():
    rewards = np.array([[1.0], [1.0]])
    values = np.array([[0.5], [0.5]])
    next_values = np.array([[0.5], [10.0]])
    kwargs = dict(gamma=0.9, lam=1.0)
    # the episode ends at t=1 by termination: V(final obs) = 10 must not count
    terminated = rollout.gae(rewards, values, next_values, np.array([[0.0], [1.0]]),
                         np.array([[0.0], [1.0]]), **kwargs)
    assert terminated[1, 0] == pytest.approx(1.0 - 0.5)
    assert terminated[0, 0] == pytest.approx(1.0 + 0.9 * 0.5 - 0.5 + 0.9 * 0.5)
    # cut by the time limit: the final observation's value is bootstrapped
    truncated = rollout.gae(rewards, values, next_values, np.array([[0.0], [0.0]]),
                        np.array([[0.0], [1.0]]), **kwargs)
    assert truncated[1, 0] == pytest.approx(1.0 + 0.9 * 10.0 - 0.5)


def test_gae_does_not_leak_across_episodes():
    rewards = np.array([[0.0], [100.0]])
    values = np.zeros((2, 1))
    adv = rollout.gae(rewards, values, np.zeros((2, 1)), np.array([[1.0], [0.0]]),
                  np.array([[1.0], [0.0]]), gamma=0.99, lam=0.95)
    assert adv[0, 0] == 0.0  # the next episode's reward is not this one's


def test_short_reinforce_training_beats_random(tmp_path):
    cfg = reinforce.config_for("CartPole-v1", steps=15_000, lr=1e-2, eval_every=5000)
    reinforce.train(cfg, tmp_path / "pg", progress=False)
    assert evaluate(load_agent(tmp_path / "pg"), 10, seed=1000)["mean_return"] > 60


def test_short_a2c_training_beats_random(tmp_path):
    cfg = a2c.Config(env="CartPole-v1", steps=20_000, num_envs=8, rollout=16, lr=2e-3,
                     eval_every=5000)
    a2c.train(cfg, tmp_path / "a2c", progress=False)
    assert evaluate(load_agent(tmp_path / "a2c"), 10, seed=1000)["mean_return"] > 60


def test_a2c_kl_target_is_constant_or_decays_with_the_step_size():
    assert a2c.kl_target(a2c.Config(target_kl=0.004), frac=0.25) == 0.004
    linear = a2c.Config(target_kl=0.004, target_kl_schedule="linear")
    assert a2c.kl_target(linear, frac=1.0) == 0.004
    assert a2c.kl_target(linear, frac=0.25) == pytest.approx(0.001)


def test_a2c_entropy_weight_is_constant_or_decays_with_the_step_size():
    assert a2c.entropy_weight(a2c.Config(entropy_coef=0.01), frac=0.25) == 0.01
    linear = a2c.Config(entropy_coef=0.01, entropy_schedule="linear")
    assert a2c.entropy_weight(linear, frac=1.0) == 0.01
    assert a2c.entropy_weight(linear, frac=0.25) == pytest.approx(0.0025)


def test_a2c_entropy_bonus_raises_the_policy_entropy():
    # One update on the same rollout with and without a large entropy weight: the bonus
    # must reach the actor (zero advantages, so nothing else moves the policy).
    torch.manual_seed(0)
    obs, actions = torch.randn(64, 4), torch.randint(0, 2, (64,))
    zeros = torch.zeros(64)
    entropies = []
    for weight in (0.0, 1.0):
        torch.manual_seed(1)
        net = a2c.ActorCritic(4, 2, [16])
        with torch.no_grad():
            net.actor[-1].weight.mul_(300)       # a confident policy, far from uniform
        cfg = a2c.Config(env="CartPole-v1")
        optimizer = a2c.make_optimizer(net, cfg)
        with torch.no_grad():
            before = float(net.dist(obs).entropy().mean())
        a2c.update(net, optimizer, cfg, obs, actions, zeros, zeros, entropy_coef=weight)
        with torch.no_grad():
            entropies.append(float(net.dist(obs).entropy().mean()) - before)
    assert entropies[1] > entropies[0] + 1e-3, entropies


def test_a2c_critic_has_its_own_step_size():
    net = a2c.ActorCritic(8, 4, [16])
    actor_group, critic_group = a2c.make_optimizer(net, a2c.Config(lr=1e-3,
                                                                  critic_lr=5e-3)).param_groups
    assert actor_group["lr"] == 1e-3 and critic_group["lr"] == 5e-3
    assert {id(p) for p in actor_group["params"]} == {id(p) for p in net.actor.parameters()}
    assert {id(p) for p in critic_group["params"]} == {id(p) for p in net.critic.parameters()}
    same = a2c.make_optimizer(net, a2c.Config(lr=1e-3, optimizer="adam")).param_groups
    assert [g["lr"] for g in same] == [1e-3, 1e-3]  # critic_lr 0: the actor's


def test_a2c_optimizer_state_with_one_group_loads_into_two():
    net = a2c.ActorCritic(8, 4, [16])
    old = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.99, eps=1e-5)  # as before
    (net.actor(torch.ones(2, 8)).sum() + net.value(torch.ones(2, 8)).sum()).backward()
    old.step()
    saved = old.state_dict()
    optimizer = a2c.make_optimizer(net, a2c.Config(lr=1e-3))
    with pytest.raises(ValueError):
        optimizer.load_state_dict(saved)
    optimizer.load_state_dict(a2c.two_groups(saved, len(list(net.actor.parameters()))))
    square_avg = [optimizer.state[p]["square_avg"] for p in net.parameters()]
    assert all(torch.equal(a, old.state[p]["square_avg"])
               for a, p in zip(square_avg, net.parameters(), strict=True))


def test_reward_scale_scales_what_is_learned_not_what_is_reported(tmp_path):
    runs = []
    for scale in (1.0, 0.25):
        cfg = a2c.Config(env="CartPole-v1", num_envs=2, rollout=30, reward_scale=scale)
        torch.manual_seed(0)
        net = a2c.ActorCritic(4, 2, [8])
        torch.nn.init.zeros_(net.critic[-1].weight)  # V = 0: returns are the rewards alone
        envs = rollout.make_vector_env(cfg)
        obs, _ = envs.reset(seed=0)
        log = ReturnsLog(tmp_path / str(scale))
        episodes = {"return": np.zeros(2), "length": np.zeros(2, dtype=int), "recent": []}
        batch, _ = rollout.collect_rollout(envs, net, obs, cfg, log, 0, episodes)
        log.close()
        logged = [(row["step"], row["return"]) for row in read_returns(log.path)]
        runs.append((batch["returns"], logged))
    assert torch.allclose(runs[1][0], 0.25 * runs[0][0])
    assert runs[0][0].max() > 1  # several steps of reward 1 were summed
    assert runs[1][1] == runs[0][1] and runs[0][1]  # episode returns are logged unscaled


def test_a2c_resumes_from_its_checkpoint(tmp_path):
    cfg = a2c.Config(env="CartPole-v1", steps=4096, num_envs=4, rollout=16, eval_every=2048)
    first = a2c.train(cfg, tmp_path / "a2c", progress=False)
    assert first["steps_done"] == 4096
    cfg.steps = 6144
    resumed = a2c.train(cfg, tmp_path / "a2c", resume=True, progress=False)
    assert resumed["steps_done"] == 6144


def test_shipped_reinforce_agent_balances():
    assert evaluate(load_agent("reinforce-cartpole"), 5, seed=1000)["mean_return"] >= 475


def test_batch_standardisation_ranks_a_crash_below_a_refuel():
    crash, refuel = np.array([-90.0, -100.0]), np.array([80.0, 90.0, 100.0])
    per_episode = reinforce.scaled_returns([crash, refuel], "episode")
    batch = reinforce.scaled_returns([crash, refuel], "batch")
    # on its own each episode has a better half; over the batch every crash step is worse
    assert per_episode[0] > 0 and per_episode[2] < 0
    assert (batch[:2] < 0).all() and (batch[2:] > 0).all()
    assert abs(batch.mean()) < 1e-9 and abs(batch.std() - 1) < 1e-6


def test_a2c_kl_is_zero_for_the_same_policy_and_matches_torch():
    torch.manual_seed(0)
    old, new = torch.randn(32, 4), torch.randn(32, 4)
    assert a2c.policy_kl(old, old) == 0.0
    expected = torch.distributions.kl_divergence(torch.distributions.Categorical(logits=old),
                                                 torch.distributions.Categorical(logits=new))
    assert abs(a2c.policy_kl(old, new) - float(expected.mean())) < 1e-6


def test_a2c_step_size_scale_follows_the_kl_against_its_target():
    assert a2c.adapt_scale(1.0, kl=0.05, target=0.01) == 1 / 1.5    # more than twice
    assert a2c.adapt_scale(1.0, kl=0.001, target=0.01) == 1.5       # less than half
    assert a2c.adapt_scale(1.0, kl=0.01, target=0.01) == 1.0
    assert a2c.adapt_scale(0.01, kl=1.0, target=0.01) == 0.01       # kept within bounds


@pytest.mark.parametrize("schedule", ["constant", "linear"])
def test_reinforce_step_size_schedule(tmp_path, schedule):
    cfg = reinforce.Config(steps=3000, eval_every=3000, eval_episodes=1, lr_schedule=schedule)
    reinforce.train(cfg, tmp_path, progress=False)
    last = torch.load(tmp_path / "checkpoint.pt", weights_only=True)["optimizer"]
    lr = last["param_groups"][0]["lr"]
    assert lr == cfg.lr if schedule == "constant" else lr < 0.1 * cfg.lr
