"""Proximal policy optimization (PPO), clipped, on vectorised environments: the peer a user
would pick instead of the course's A2C, measured on the same budget.

The same actor and critic as A2C (`rl/a2c.py`: tanh MLPs, orthogonal init, a softmax actor)
collect `rollout` steps from each of `num_envs` environments; advantages are GAE(lambda).
Then, unlike A2C's single step, the batch is reused for `epochs` passes of minibatches, each
step limited by the clipped surrogate objective: the new policy's probability ratio to the
old one is clipped to [1 - clip, 1 + clip], so no update moves the policy far from the one
that collected the data. The defaults are the RL Zoo's PPO settings for LunarLander (16 envs
x 1024 steps, minibatches of 64, 4 epochs, gamma 0.999, lambda 0.98, entropy 0.01, Adam 3e-4);
CartPole gets the Zoo's CartPole settings. A truncated episode (time limit) is bootstrapped
from the critic's value of its last observation; a terminated one is not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from braintank.config import ConfigBase, setting
from braintank.progress import progress_bar
from braintank.rl.a2c import A2CAgent, ActorCritic
from braintank.rl.agentfile import (
    MAX_THREADS,
    hidden_sizes,
    load_network,
    read_agent,
    seed_setting,
)
from braintank.rl.common import (
    CAR_VIEWS,
    ReturnsLog,
    check_finite,
    preset_for,
    resume_from,
    set_seeds,
    validate_and_save,
)
from braintank.rl.rollout import collect_rollout, make_vector_env, restore_rollout, rollout_state

ALGO = "ppo"
ENVS = ("LunarLander-v3", "CartPole-v1", *CAR_VIEWS)


# ---------------------------------------------------------------- config

@dataclass
class Config(ConfigBase):
    settings_name = "ppo"

    env: str = "LunarLander-v3"
    seed: int = seed_setting(0)
    steps: int = setting(1_000_000, at_least=1)   # environment steps, all envs together
    num_envs: int = setting(16, at_least=1, at_most=256)
    rollout: int = setting(1024, at_least=1)      # steps per environment between updates
    minibatch: int = setting(64, at_least=1)
    epochs: int = setting(4, at_least=1)           # passes over each rollout
    gamma: float = setting(0.999, at_most=1)
    gae_lambda: float = setting(0.98, at_most=1)
    reward_scale: float = setting(1.0, above=0)  # for learning; returns are reported unscaled
    lr: float = setting(3e-4, label="learning rate", above=0)  # decayed linearly to 0
    clip: float = setting(0.2, above=0, below=1)
    entropy_coef: float = setting(0.01)
    value_coef: float = setting(0.5)
    max_grad_norm: float = setting(0.5, above=0)
    hidden: list[int] = hidden_sizes(64, 64)
    eval_every: int = setting(25_000, at_least=1)  # steps between greedy validation checks
    eval_episodes: int = setting(10, at_least=1)
    eval_seed: int = seed_setting(100_000)         # never used by training or reports
    max_minutes: float = setting(30.0, above=0)
    threads: int = setting(1, at_least=1, at_most=MAX_THREADS)


PRESETS = {"CartPole-v1": dict(steps=100_000, num_envs=8, rollout=32, minibatch=256,
                               epochs=20, gamma=0.98, gae_lambda=0.8, entropy_coef=0.0,
                               lr=1e-3, eval_every=10_000),
           "BraintankCar-v0": dict(steps=200_000, num_envs=8, rollout=256, gamma=0.99,
                                   gae_lambda=0.95, hidden=[150])}


def config_for(env: str, **overrides) -> Config:
    """The recipe for `env`: the defaults, the environment's preset, then `overrides`."""
    return Config(env=env).replace(**{**preset_for(PRESETS, env), **overrides})


# ---------------------------------------------------------------- update

def ppo_epochs(net: ActorCritic, optimizer: torch.optim.Optimizer, cfg: Config,
               batch: dict[str, torch.Tensor], generator: torch.Generator) -> dict:
    """`cfg.epochs` passes of shuffled minibatches over one rollout."""
    size = len(batch["obs"])
    stats = {"loss": 0.0, "clipped": 0.0, "updates": 0}
    for _ in range(cfg.epochs):
        order = torch.randperm(size, generator=generator)
        for start in range(0, size, cfg.minibatch):
            idx = order[start:start + cfg.minibatch]
            dist = net.dist(batch["obs"][idx])
            ratio = torch.exp(dist.log_prob(batch["actions"][idx]) - batch["log_probs"][idx])
            adv = batch["advantages"][idx]
            adv = (adv - adv.mean()) / (adv.std() + 1e-8) if len(idx) > 1 else adv
            surrogate = torch.min(ratio * adv,
                                  torch.clamp(ratio, 1 - cfg.clip, 1 + cfg.clip) * adv)
            value_loss = 0.5 * ((net.value(batch["obs"][idx]) - batch["returns"][idx]) ** 2)
            loss = (-surrogate.mean() + cfg.value_coef * value_loss.mean()
                    - cfg.entropy_coef * dist.entropy().mean())
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), cfg.max_grad_norm)
            optimizer.step()
            stats["loss"] += loss.item()
            stats["clipped"] += float(((ratio - 1).abs() > cfg.clip).float().mean())
            stats["updates"] += 1
    return {"loss": stats["loss"] / stats["updates"],
            "clipped": stats["clipped"] / stats["updates"]}


# ---------------------------------------------------------------- train loop

def train(cfg: Config, out: Path, resume: bool = False, progress: bool = True) -> dict:
    cfg.validate()
    torch.set_num_threads(cfg.threads)
    set_seeds(cfg.seed)
    envs = make_vector_env(cfg)
    out.mkdir(parents=True, exist_ok=True)
    net = ActorCritic(envs.single_observation_space.shape[0],
                      int(envs.single_action_space.n), cfg.hidden)
    optimizer = torch.optim.Adam(net.parameters(), lr=cfg.lr, eps=1e-5)
    generator = torch.Generator().manual_seed(cfg.seed)
    meta = {"algo": ALGO, "env": cfg.env, "config": cfg.to_dict()}
    state, step, best = resume_from(out, resume, meta, net=net, optimizer=optimizer)
    updates_done = state["updates"] if state else 0
    log = ReturnsLog(out, resume=resume, until_step=step if state else None)
    total_updates = max(1, cfg.steps // (cfg.num_envs * cfg.rollout))
    obs, _ = envs.reset(seed=cfg.seed)
    episodes = {"return": np.zeros(cfg.num_envs), "length": np.zeros(cfg.num_envs, dtype=int),
                "recent": []}
    if state is not None and "rollout" in state:  # checkpoints before 2026-12-06 have none
        obs = restore_rollout(state["rollout"], envs, episodes)
        generator.set_state(state["generator"])
    started = time.monotonic()
    next_eval = (step // cfg.eval_every + 1) * cfg.eval_every
    bar = progress_bar(total=total_updates * cfg.num_envs * cfg.rollout, initial=step,
                       disable=not progress, unit="step")
    while updates_done < total_updates:
        optimizer.param_groups[0]["lr"] = cfg.lr * (1.0 - updates_done / total_updates)
        batch, obs = collect_rollout(envs, net, obs, cfg, log, step, episodes)
        stats = ppo_epochs(net, optimizer, cfg, batch, generator)
        check_finite(stats["loss"], "the PPO loss", out)
        step += cfg.num_envs * cfg.rollout
        updates_done += 1
        bar.update(cfg.num_envs * cfg.rollout)
        if episodes["recent"]:
            bar.set_postfix(mean100=f"{np.mean(episodes['recent']):.1f}", best=f"{best:.1f}")
        minutes = (time.monotonic() - started) / 60
        if step >= next_eval or updates_done == total_updates or minutes > cfg.max_minutes:
            next_eval = (step // cfg.eval_every + 1) * cfg.eval_every
            meta["clipped_share"] = round(stats["clipped"], 4)  # written with agent.json below
            best = validate_and_save(out, A2CAgent(net, cfg.env), cfg, step, best, meta,
                                     {"net": net.state_dict()},
                                     {"net": net.state_dict(), "optimizer": optimizer.state_dict(),
                                      "updates": updates_done,
                                      "rollout": rollout_state(envs, obs, episodes),
                                      "generator": generator.get_state()},
                                     minutes, f"PPO on {cfg.env}")
            net.train()
        if minutes > cfg.max_minutes:
            break
    bar.close()
    log.close()
    envs.close()
    return meta


# ---------------------------------------------------------------- load

def load(agent_dir: Path) -> A2CAgent:
    folder = read_agent(agent_dir, (ALGO,), ENVS, Config)
    return A2CAgent(load_network(folder, ActorCritic, "net"), folder.env_id)
