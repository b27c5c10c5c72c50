"""Advantage actor-critic (A2C), synchronous, on vectorised environments (course 10).

The course's actor 8-64-4 (softmax) and critic 8-64-1 learn from one step at a time; here
the same two networks (one more hidden layer of 64 each) learn from `num_envs` environments
stepped together for `rollout` steps, so one update sees 40 decorrelated steps; advantages
are n-step returns minus the critic's value (GAE when gae_lambda < 1). The defaults are the
RL Zoo's A2C settings for LunarLander (8 envs, 5 steps, gamma 0.995, RMSprop 8.3e-4 decayed
linearly, almost no entropy bonus), with the decay spread over 1M steps: spread over 2.5M,
the still-large step size let the policy fall from ~130 back to ~30 after 700k steps. A first
try with 16 envs x 32 steps, GAE 0.95, Adam and entropy 0.01 learned to hover until the time
limit instead of landing.
These defaults do not keep what they learn (issue 24; seed 0, greedy final policy on seeds
1000-1099, updates.jsonl): the training average reaches ~200 near 470k steps, then from ~510k
more and more episodes hover until the time limit and the final policy scores -134 (best
checkpoint, 450k: 215). Entropy (0.6-0.7) and the critic (explained variance 0.8-0.98) hold
through the collapse; the value loss jumps 5x while crashes take over (530-550k), then falls
as hovering becomes predictable. The gradient norm (10-60, mostly the critic's) is above
max_grad_norm in every update, so each update moves the actor by about lr x 40-85 whatever
the advantages say. None of these kept a final policy at 200 on seed 0: the decay spread
over 700k steps (final 14), clipping only above 50 (hovering by 750k), clipping actor and
critic apart (hovering by 350k), gamma 0.999 (final 93, its best 161), observations
normalized by a running mean and std (explained variance 0.95, returns near -90), entropy
0.01 (hovering by 550k). Nor is the collapse one bad step: the KL divergence each update moves
the policy by (logged since) stays at 0.003-0.005 from 25k steps through the collapse, with no
spike at 510-550k; it is a steady drift of equal-sized steps, each taken from only 40 samples.
Nor did (final policy on seed 0, docs/guides/rl.md) a critic with 4x the actor's step size (35)
or an actor 4x slower (-69), rewards scaled by 0.1 or 0.01 (unclipped, it hovers by 550k:
-101, -119), Adam at 3e-4 or 7e-4 (72, 91), a KL target decaying with the step size (101)
or 32 environments with the step size doubled (-112), nor GAE (lambda 0.95: 156 on seed 0,
hovering on seed 1 (-79); lambda 0.9 and 0.98 worse). On three seeds each: GAE 0.95 with a
constant KL target of 0.001 (final 43, 61, -153); A2C at PPO's scale (16 x 16 steps, GAE
0.95, gamma 0.999, normalised advantages, entropy 0.01) stops the sampled policy's fall but
its greedy one hovers (-82, -111, -275); with the entropy weight then decayed to 0 over 2M
steps (`entropy_schedule`), the fall comes back as the entropy weight shrinks.
A truncated episode (time limit) is bootstrapped from the critic's value of its last
observation; a terminated one is not.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from braintank.config import ConfigBase, setting
from braintank.progress import progress_bar
from braintank.rl.agentfile import (
    MAX_THREADS,
    decayed,
    hidden_sizes,
    load_network,
    read_agent,
    schedule_setting,
    seed_setting,
)
from braintank.rl.common import (
    CAR_VIEWS,
    ReturnsLog,
    check_finite,
    resume_from,
    set_seeds,
    validate_and_save,
)
from braintank.rl.rollout import collect_rollout, make_vector_env, restore_rollout, rollout_state

ALGO = "a2c"
ENVS = ("LunarLander-v3", "CartPole-v1", *CAR_VIEWS)
UPDATES_FILE = "updates.jsonl"  # training diagnostics, averaged over UPDATES_EVERY updates
UPDATES_EVERY = 50


# ---------------------------------------------------------------- config

@dataclass
class Config(ConfigBase):
    settings_name = "a2c"

    env: str = "LunarLander-v3"
    seed: int = seed_setting(0)
    # environment steps, all environments together
    steps: int = setting(1_000_000, at_least=1)
    num_envs: int = setting(8, at_least=1)
    # steps per environment between updates (n-step returns)
    rollout: int = setting(5, at_least=1)
    gamma: float = setting(0.995, at_most=1)
    # 1: plain n-step returns, as A2C; below 1: GAE
    gae_lambda: float = setting(1.0, at_most=1)
    lr: float = setting(8.3e-4, label="learning rate", above=0)  # decayed linearly to 0
    # the critic's step size, decayed with lr; 0: the same as lr. The course's actor_critic
    # takes lr_actor and lr_critic apart.
    critic_lr: float = setting(0.0, label="critic learning rate", at_least=0)
    # rmsprop (as A2C's paper and SB3) or adam
    optimizer: str = setting("rmsprop", choices=("rmsprop", "adam"))
    normalize_advantages: bool = False
    # rewards are multiplied by this for learning (returns are reported unscaled): LunarLander's
    # +-100 landings and crashes make the critic's gradient 10-60 where the clip is 0.5
    reward_scale: float = setting(1.0, above=0)
    entropy_coef: float = 1e-5
    # linear: the entropy weight decays to 0 with the step size, so that a policy kept
    # exploring early ends near deterministic (its greedy play close to its sampled play)
    entropy_schedule: str = schedule_setting()
    value_coef: float = 0.5
    max_grad_norm: float = 0.5
    # 0: the step size follows the linear decay alone. Above 0: it is also scaled after every
    # update, down when that update moved the policy by more than twice this KL divergence
    # (averaged over the batch), up when by less than half of it.
    target_kl: float = setting(0.0, at_least=0)
    # linear: the target itself decays linearly to 0 with the step size, so that late updates
    # move the policy less and less (constant: it holds the KL near target_kl to the end)
    target_kl_schedule: str = schedule_setting()
    hidden: list[int] = hidden_sizes(64, 64)
    # steps between greedy checks on validation seeds
    eval_every: int = setting(25_000, at_least=1)
    eval_episodes: int = setting(10, at_least=1)
    # validation seeds: never used by training or reports
    eval_seed: int = seed_setting(100_000)
    # wall-clock budget; training stops when it is spent
    max_minutes: float = setting(30.0, above=0)
    threads: int = setting(1, at_least=1, at_most=MAX_THREADS)


# ---------------------------------------------------------------- networks

def mlp(sizes: list[int], out_gain: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        last = i == len(sizes) - 2
        nn.init.orthogonal_(linear.weight, out_gain if last else np.sqrt(2))
        nn.init.zeros_(linear.bias)
        layers += [linear] if last else [linear, nn.Tanh()]
    return nn.Sequential(*layers)


class ActorCritic(nn.Module):
    def __init__(self, obs_size: int, n_actions: int, hidden: list[int]) -> None:
        super().__init__()
        self.actor = mlp([obs_size, *hidden, n_actions], out_gain=0.01)
        self.critic = mlp([obs_size, *hidden, 1], out_gain=1.0)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(obs).squeeze(-1)

    def dist(self, obs: torch.Tensor) -> torch.distributions.Categorical:
        return torch.distributions.Categorical(logits=self.actor(obs))


class A2CAgent:
    """The trained actor, acting greedily (most probable action)."""

    def __init__(self, net: ActorCritic, env_id: str) -> None:
        self.net, self.env_id = net.eval(), env_id

    @torch.no_grad()
    def act(self, observation) -> int:
        obs = torch.as_tensor(np.asarray(observation, dtype=np.float32))
        return int(self.net.actor(obs).argmax())


# ---------------------------------------------------------------- update

def update(net: ActorCritic, optimizer: torch.optim.Optimizer, cfg: Config, obs: torch.Tensor,
           actions: torch.Tensor, advantages: torch.Tensor, returns: torch.Tensor,
           entropy_coef: float) -> dict:
    """One A2C step on a rollout; `entropy_coef` weighs the entropy bonus (`entropy_weight`)."""
    dist = net.dist(obs)
    old_logits = dist.logits.detach()
    if cfg.normalize_advantages:
        advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
    policy_loss = -(dist.log_prob(actions) * advantages).mean()
    value_loss = 0.5 * ((net.value(obs) - returns) ** 2).mean()
    entropy = dist.entropy().mean()
    loss = policy_loss + cfg.value_coef * value_loss - entropy_coef * entropy
    optimizer.zero_grad()
    loss.backward()
    actor_grad, critic_grad = grad_norm(net.actor), grad_norm(net.critic)
    total = float(nn.utils.clip_grad_norm_(net.parameters(), cfg.max_grad_norm))
    before = nn.utils.parameters_to_vector(net.actor.parameters()).detach()
    optimizer.step()
    with torch.no_grad():
        actor_step = float((nn.utils.parameters_to_vector(net.actor.parameters())
                            - before).norm())
        kl = policy_kl(old_logits, net.actor(obs))
    return {"loss": loss.item(), "value_loss": value_loss.item(), "entropy": entropy.item(),
            "actor_grad": actor_grad, "critic_grad": critic_grad,
            "clipped": float(total > cfg.max_grad_norm), "actor_step": actor_step, "kl": kl}


def policy_kl(old_logits: torch.Tensor, new_logits: torch.Tensor) -> float:
    """Mean KL(old || new) over a batch of categorical policies: how far one update moved
    the policy, in the units that matter (parameter steps of equal length can move it by
    very different amounts)."""
    old, new = old_logits.log_softmax(-1), new_logits.log_softmax(-1)
    return float((old.exp() * (old - new)).sum(-1).mean())


def adapt_scale(scale: float, kl: float, target: float) -> float:
    """The step-size multiplier after an update that moved the policy by `kl`: divided by 1.5
    above twice the target, multiplied by 1.5 below half of it (as rl_games' adaptive
    schedule), kept within [1e-2, 1e2]."""
    if kl > 2 * target:
        scale /= 1.5
    elif kl < target / 2:
        scale *= 1.5
    return float(np.clip(scale, 1e-2, 1e2))


def kl_target(cfg: Config, frac: float) -> float:
    """The KL divergence per update aimed at when a share `frac` of the updates is left."""
    return decayed(cfg.target_kl, cfg.target_kl_schedule, frac)


def entropy_weight(cfg: Config, frac: float) -> float:
    """The entropy bonus's weight when a share `frac` of the updates is left."""
    return decayed(cfg.entropy_coef, cfg.entropy_schedule, frac)


def grad_norm(module: nn.Module) -> float:
    return float(torch.linalg.vector_norm(
        torch.stack([p.grad.norm() for p in module.parameters() if p.grad is not None])))


def explained_variance(values: np.ndarray, returns: np.ndarray) -> float:
    """1 - Var(returns - values) / Var(returns): 1 for a perfect critic, 0 for a constant."""
    var = float(np.var(returns))
    return float("nan") if var == 0 else 1.0 - float(np.var(returns - values)) / var


class UpdateLog:
    """Per-update statistics averaged over `every` updates, one JSON line per average in
    updates.jsonl: entropy, value loss, explained variance, the actor's and the critic's
    gradient norms before clipping, the share of updates clipped, the length of the actor's
    parameter step, the KL divergence it moved the policy by, mean |advantage| and the step
    size."""

    def __init__(self, out: Path, every: int, resume: bool) -> None:
        self.every, self.rows = every, []
        self.handle = open(out / UPDATES_FILE, "a" if resume else "w", encoding="utf-8")

    def add(self, step: int, **stats: float) -> None:
        self.rows.append(stats)
        if len(self.rows) >= self.every:
            mean = {k: round(float(np.nanmean([r[k] for r in self.rows])), 6)
                    for k in self.rows[0]}
            self.handle.write(json.dumps({"step": step, **mean}) + "\n")
            self.handle.flush()
            self.rows = []

    def close(self) -> None:
        self.handle.close()


# ---------------------------------------------------------------- train loop

def two_groups(saved: dict, actor_params: int) -> dict:
    """An optimizer state as make_optimizer lays it out: one saved with a single parameter
    group (A2C checkpoints written before the critic had its own step size) is split into
    the actor's first `actor_params` parameters and the critic's."""
    if len(saved["param_groups"]) != 1:
        return saved
    group = saved["param_groups"][0]
    return {**saved, "param_groups": [{**group, "params": group["params"][:actor_params]},
                                      {**group, "params": group["params"][actor_params:]}]}


def step_sizes(cfg: Config) -> tuple[float, float]:
    """The actor's and the critic's step sizes before the decay."""
    return cfg.lr, cfg.critic_lr or cfg.lr


def make_optimizer(net: ActorCritic, cfg: Config) -> torch.optim.Optimizer:
    """One optimizer, with the actor's and the critic's parameters in two groups (in that
    order) so that each has its own step size."""
    groups = [{"params": part.parameters(), "lr": lr}
              for part, lr in zip((net.actor, net.critic), step_sizes(cfg), strict=True)]
    if cfg.optimizer == "rmsprop":
        return torch.optim.RMSprop(groups, alpha=0.99, eps=1e-5)
    return torch.optim.Adam(groups, eps=1e-5)


def train(cfg: Config, out: Path, resume: bool = False, progress: bool = True) -> dict:
    cfg.validate()
    torch.set_num_threads(cfg.threads)
    set_seeds(cfg.seed)
    envs = make_vector_env(cfg)
    out.mkdir(parents=True, exist_ok=True)
    net = ActorCritic(envs.single_observation_space.shape[0],
                      int(envs.single_action_space.n), cfg.hidden)
    optimizer = make_optimizer(net, cfg)
    meta = {"algo": ALGO, "env": cfg.env, "config": cfg.to_dict()}
    state, step, best = resume_from(out, resume, meta, net=net)
    if state is not None:
        optimizer.load_state_dict(two_groups(state["optimizer"],
                                             len(list(net.actor.parameters()))))
    updates_done, scale = (state["updates"], state.get("lr_scale", 1.0)) if state else (0, 1.0)
    log = ReturnsLog(out, resume=resume, until_step=step if state else None)
    diagnostics = UpdateLog(out, UPDATES_EVERY, resume)
    batch = cfg.num_envs * cfg.rollout
    total_updates = cfg.steps // batch
    obs, _ = envs.reset(seed=cfg.seed)
    started = time.monotonic()
    next_eval = (step // cfg.eval_every + 1) * cfg.eval_every
    bar = progress_bar(total=cfg.steps, initial=step, disable=not progress, unit="step")
    episodes = {"return": np.zeros(cfg.num_envs), "length": np.zeros(cfg.num_envs, dtype=int),
                "recent": []}
    if state is not None and "rollout" in state:  # checkpoints before 2026-12-06 have none
        obs = restore_rollout(state["rollout"], envs, episodes)
    while updates_done < total_updates:
        frac = 1.0 - updates_done / total_updates
        for group, lr in zip(optimizer.param_groups, step_sizes(cfg), strict=True):
            group["lr"] = lr * frac * scale
        rollout, obs = collect_rollout(envs, net, obs, cfg, log, step, episodes)
        stats = update(net, optimizer, cfg, rollout["obs"], rollout["actions"],
                       rollout["advantages"], rollout["returns"], entropy_weight(cfg, frac))
        check_finite(stats["loss"], "the A2C loss", out)
        if cfg.target_kl > 0:
            scale = adapt_scale(scale, stats["kl"], kl_target(cfg, frac))
        diagnostics.add(step + batch, entropy=stats["entropy"], value_loss=stats["value_loss"],
                        explained_variance=explained_variance(rollout["values"].numpy(),
                                                              rollout["returns"].numpy()),
                        actor_grad=stats["actor_grad"], critic_grad=stats["critic_grad"],
                        clipped=stats["clipped"], actor_step=stats["actor_step"],
                        kl=stats["kl"],
                        abs_advantage=float(rollout["advantages"].abs().mean()),
                        lr=optimizer.param_groups[0]["lr"])
        step += batch
        updates_done += 1
        bar.update(batch)
        if episodes["recent"]:
            bar.set_postfix(mean100=f"{np.mean(episodes['recent']):.1f}", best=f"{best:.1f}")
        minutes = (time.monotonic() - started) / 60
        if step >= next_eval or updates_done == total_updates or minutes > cfg.max_minutes:
            next_eval += cfg.eval_every
            best = validate_and_save(out, A2CAgent(net, cfg.env), cfg, step, best, meta,
                                     {"net": net.state_dict()},
                                     {"net": net.state_dict(), "optimizer": optimizer.state_dict(),
                                      "updates": updates_done, "lr_scale": scale,
                                      "rollout": rollout_state(envs, obs, episodes)},
                                     minutes, f"A2C on {cfg.env}")
            net.train()
        if minutes > cfg.max_minutes:
            break
    bar.close()
    log.close()
    diagnostics.close()
    envs.close()
    return meta


# ---------------------------------------------------------------- load

def load(agent_dir: Path) -> A2CAgent:
    folder = read_agent(agent_dir, (ALGO,), ENVS, Config)
    return A2CAgent(load_network(folder, ActorCritic, "net"), folder.env_id)
