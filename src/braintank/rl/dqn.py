"""Deep Q-network (course 8): a network maps the state to one Q-value per action.

The three tricks of the course are all here: a replay buffer (decorrelated minibatches,
each transition reused), a target network (the bootstrap target does not move with every
update) and ε-greedy exploration decayed linearly. The loss is Huber on the TD error.
Only a *terminated* transition (the pole fell, the car crashed) stops the bootstrap; one
cut by the time limit (truncated) still bootstraps from its next state, which is stored
as the real last observation of the episode.

Presets: CartPole-v1 (Adam, 4-256-256-2, the RL Zoo's settings, step size decayed to 0) and
the course's car (150 hidden units, ReLU, RMSprop, batch 100) on its last 4 observations
(80 inputs, `frames`; rl/history.py), kept by 50 validation maps as REINFORCE's car.
"""

from __future__ import annotations

import copy
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
    hidden_sizes,
    load_network,
    read_agent,
    schedule_setting,
    scheduled_lr,
    seed_setting,
)
from braintank.rl.common import (
    CAR_VIEWS,
    ReturnsLog,
    check_finite,
    make_env,
    preset_for,
    restore_rng,
    resume_from,
    rng_state,
    set_seeds,
    validate_and_save,
)
from braintank.rl.episode_state import restore_episode, save_episode
from braintank.rl.history import ObservationHistory, frames_setting

ALGO = "dqn"
ENVS = ("CartPole-v1", *CAR_VIEWS, "LunarLander-v3")


# ---------------------------------------------------------------- config

@dataclass
class Config(ConfigBase):
    settings_name = "dqn"

    env: str = "CartPole-v1"
    seed: int = seed_setting(0)
    steps: int = setting(150_000, at_least=1)
    hidden: list[int] = hidden_sizes(128, 128)
    frames: int = frames_setting()  # recent observations the network sees (rl/history.py)
    optimizer: str = setting("adam", choices=("adam", "rmsprop"))  # rmsprop: the course's
    lr: float = setting(2.5e-4, label="learning rate", above=0)
    lr_schedule: str = schedule_setting()
    gamma: float = setting(0.99, at_most=1)
    buffer_size: int = setting(50_000, at_least=1)
    batch_size: int = setting(128, at_least=1)
    learning_starts: int = 1_000
    train_every: int = setting(2, at_least=1)       # environment steps per gradient step
    target_every: int = setting(500, at_least=1)    # environment steps between target syncs
    eps_start: float = setting(1.0, at_most=1)
    eps_end: float = setting(0.02, at_most=1)
    eps_fraction: float = setting(0.3, at_most=1)   # share of training over which ε decays
    double: bool = True              # the online net picks the next action, the target rates it
    eval_every: int = setting(10_000, at_least=1)
    eval_episodes: int = setting(10, at_least=1)
    eval_seed: int = seed_setting(100_000)  # validation seeds, never used for reported results
    max_minutes: float = setting(30.0, above=0)
    threads: int = setting(1, at_least=1, at_most=MAX_THREADS)


# CartPole: the RL Zoo's settings (256-256, step size 2.3e-3, ε to 0.04 over the first 16%)
# with the step size decayed to 0 over 150k steps and batches of 128: the final policies of
# seeds 0-2 all score >= 496. The plain defaults (128-128, 2.5e-4, constant) kept a policy
# >= 475 on 2 of 3 seeds (seed 2 let the cart drift out); with the Zoo's batch of 64, seed 0's
# final policy ended mid-swing (338) (benchmarks/rl_seeds.py; docs/guides/rl.md).
PRESETS = {
    "CartPole-v1": dict(hidden=[256, 256], lr=2.3e-3, lr_schedule="linear", eps_end=0.04,
                        eps_fraction=0.16),
    "BraintankCar-v0": dict(hidden=[150], optimizer="rmsprop", lr=1e-3, batch_size=100,
                            frames=4, steps=200_000, eval_every=10_000, eval_episodes=50),
    "LunarLander-v3": dict(hidden=[256, 256], lr=5e-4, steps=500_000, eval_every=25_000),
}


def config_for(env: str, **overrides) -> Config:
    return Config(env=env).replace(**{**preset_for(PRESETS, env), **overrides})


# ---------------------------------------------------------------- network

def q_network(obs_size: int, n_actions: int, hidden: list[int]) -> nn.Sequential:
    sizes, layers = [obs_size, *hidden], []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(sizes[-1], n_actions))


class DQNAgent:
    """Acts greedily on the learned Q-values of its last `frames` observations."""

    def __init__(self, q: nn.Module, env_id: str, frames: int = 1) -> None:
        self.q, self.env_id = q.eval(), env_id
        self.history = ObservationHistory(frames)

    def start(self, env=None) -> None:
        """A new episode: forget the observations of the last one."""
        self.history.clear()

    @torch.no_grad()
    def act(self, observation) -> int:
        return int(self.q(torch.as_tensor(self.history.push(observation))).argmax())


# ---------------------------------------------------------------- replay buffer

class ReplayBuffer:
    """A ring buffer of (obs, action, reward, next_obs, terminated)."""

    def __init__(self, capacity: int, obs_size: int) -> None:
        self.obs = np.zeros((capacity, obs_size), dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_size), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.capacity, self.size, self.pos = capacity, 0, 0

    def add(self, obs, action: int, reward: float, next_obs, terminated: bool) -> None:
        i = self.pos
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, float(terminated)
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        idx = rng.integers(0, self.size, size=batch_size)
        return {"obs": torch.as_tensor(self.obs[idx]),
                "actions": torch.as_tensor(self.actions[idx]),
                "rewards": torch.as_tensor(self.rewards[idx]),
                "next_obs": torch.as_tensor(self.next_obs[idx]),
                "terminated": torch.as_tensor(self.terminated[idx])}

    def state(self) -> dict:
        """The filled part and the write position, for a checkpoint."""
        n = self.size
        return {"obs": torch.from_numpy(self.obs[:n].copy()),
                "next_obs": torch.from_numpy(self.next_obs[:n].copy()),
                "actions": torch.from_numpy(self.actions[:n].copy()),
                "rewards": torch.from_numpy(self.rewards[:n].copy()),
                "terminated": torch.from_numpy(self.terminated[:n].copy()),
                "size": n, "pos": self.pos}

    def load_state(self, state: dict) -> None:
        n = state["size"]
        for name in ("obs", "next_obs", "actions", "rewards", "terminated"):
            getattr(self, name)[:n] = state[name].numpy()
        self.size, self.pos = n, state["pos"]


# ---------------------------------------------------------------- schedule and update

def epsilon(step: int, cfg: Config) -> float:
    """Linear decay from eps_start to eps_end over eps_fraction of the steps, then flat."""
    duration = max(1, int(cfg.eps_fraction * cfg.steps))
    return cfg.eps_end + (cfg.eps_start - cfg.eps_end) * max(0.0, 1 - step / duration)


def sync_target(q: nn.Module, target: nn.Module) -> None:
    target.load_state_dict(q.state_dict())


def td_targets(batch: dict, q: nn.Module, target: nn.Module, gamma: float,
               double: bool) -> torch.Tensor:
    with torch.no_grad():
        if double:
            best = q(batch["next_obs"]).argmax(1, keepdim=True)
            next_q = target(batch["next_obs"]).gather(1, best).squeeze(1)
        else:
            next_q = target(batch["next_obs"]).max(1).values
        return batch["rewards"] + gamma * next_q * (1 - batch["terminated"])


def update(q: nn.Module, target: nn.Module, optimizer, batch: dict, cfg: Config) -> float:
    predicted = q(batch["obs"]).gather(1, batch["actions"].unsqueeze(1)).squeeze(1)
    loss = nn.functional.smooth_l1_loss(predicted, td_targets(batch, q, target, cfg.gamma,
                                                              cfg.double))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(q.parameters(), 10.0)
    optimizer.step()
    return loss.item()


# ---------------------------------------------------------------- resuming exactly

def run_state(env, sampler: np.random.Generator, buffer: ReplayBuffer, obs: np.ndarray,
              episode: tuple[float, int], recent: list[float]) -> dict:
    """Everything beyond the networks that the next steps depend on: every random state, the
    replay buffer and the episode in progress (its state in the environment where that can
    be put back, rl/episode_state.py)."""
    return {"rng": rng_state(env), "sampler": json.dumps(sampler.bit_generator.state),
            "actions": json.dumps(env.action_space.np_random.bit_generator.state),
            "buffer": buffer.state(), "episode": save_episode(env),
            "obs": torch.from_numpy(np.array(obs, dtype=np.float32)),
            "return": episode[0], "length": episode[1], "recent": list(recent)}


def restore_run(run: dict, env, sampler: np.random.Generator, buffer: ReplayBuffer,
                history: ObservationHistory) -> tuple[np.ndarray, tuple[float, int], list]:
    """Put back `run_state`; the observation, episode (return, length) and recent returns to
    go on from. Where the episode cannot be put back, a new one starts."""
    restore_rng(run["rng"], env)
    sampler.bit_generator.state = json.loads(run["sampler"])
    env.action_space.np_random.bit_generator.state = json.loads(run["actions"])
    buffer.load_state(run["buffer"])
    if restore_episode(env, run["episode"]):
        obs = run["obs"].numpy()
        history.load(obs)
        return obs, (run["return"], run["length"]), list(run["recent"])
    history.clear()
    return history.push(env.reset()[0]), (0.0, 0), list(run["recent"])


# ---------------------------------------------------------------- train loop

def make_optimizer(cfg: Config, params):
    if cfg.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=cfg.lr)
    return torch.optim.Adam(params, lr=cfg.lr)


def train(cfg: Config, out: Path, resume: bool = False, progress: bool = True) -> dict:
    cfg.validate()
    torch.set_num_threads(cfg.threads)
    set_seeds(cfg.seed)
    env = make_env(cfg.env)
    out.mkdir(parents=True, exist_ok=True)
    obs_size = env.observation_space.shape[0] * cfg.frames
    n_actions = int(env.action_space.n)
    history = ObservationHistory(cfg.frames)
    q = q_network(obs_size, n_actions, cfg.hidden)
    target = copy.deepcopy(q)
    optimizer = make_optimizer(cfg, q.parameters())
    meta = {"algo": ALGO, "env": cfg.env, "config": cfg.to_dict()}
    saved, step, best = resume_from(out, resume, meta, q=q, optimizer=optimizer)
    if saved is not None:
        target.load_state_dict(saved.get("target", saved["q"]))
    buffer = ReplayBuffer(cfg.buffer_size, obs_size)
    rng = np.random.default_rng(cfg.seed)
    env.action_space.seed(cfg.seed)
    log = ReturnsLog(out, resume=resume, until_step=step if saved else None)
    obs = history.push(env.reset(seed=cfg.seed)[0])
    episode_return, episode_length, recent = 0.0, 0, []
    started, first_step = time.monotonic(), step
    if saved is not None and "run" in saved:  # checkpoints before 2026-12-06 hold no run state
        obs, (episode_return, episode_length), recent = restore_run(saved["run"], env, rng,
                                                                    buffer, history)
        first_step = 0  # the buffer is back: learning goes on at once
    bar = progress_bar(total=cfg.steps, initial=step, disable=not progress, unit="step")
    while step < cfg.steps:
        if rng.random() < epsilon(step, cfg):
            action = int(env.action_space.sample())
        else:
            with torch.no_grad():
                action = int(q(torch.as_tensor(obs, dtype=torch.float32)).argmax())
        next_obs, reward, terminated, truncated, _ = env.step(action)
        next_obs = history.push(next_obs)
        buffer.add(obs, action, float(reward), next_obs, terminated)
        episode_return += float(reward)
        episode_length += 1
        obs = next_obs
        step += 1
        if terminated or truncated:
            log.add(step, episode_return, episode_length, epsilon=round(epsilon(step, cfg), 3))
            recent = (recent + [episode_return])[-100:]
            history.clear()
            obs = history.push(env.reset()[0])
            episode_return, episode_length = 0.0, 0
        if step - first_step >= cfg.learning_starts and step % cfg.train_every == 0:
            optimizer.param_groups[0]["lr"] = scheduled_lr(cfg, step)
            loss = update(q, target, optimizer, buffer.sample(cfg.batch_size, rng), cfg)
            check_finite(loss, "the DQN loss", out)
        if step % cfg.target_every == 0:
            sync_target(q, target)
        bar.update(1)
        if recent and step % 1000 == 0:
            bar.set_postfix(mean100=f"{np.mean(recent):.1f}", eps=f"{epsilon(step, cfg):.2f}")
        minutes = (time.monotonic() - started) / 60
        if step % cfg.eval_every == 0 or step == cfg.steps or minutes > cfg.max_minutes:
            best = validate_and_save(out, DQNAgent(q, cfg.env, cfg.frames), cfg, step, best, meta,
                                     {"q": q.state_dict()},
                                     {"q": q.state_dict(), "target": target.state_dict(),
                                      "optimizer": optimizer.state_dict(),
                                      "run": run_state(env, rng, buffer, obs,
                                                       (episode_return, episode_length),
                                                       recent)},
                                     minutes, f"DQN on {cfg.env}")
            q.train()
            if minutes > cfg.max_minutes:
                break
    bar.close()
    log.close()
    env.close()
    return meta


# ---------------------------------------------------------------- load

def load(agent_dir: Path) -> DQNAgent:
    folder = read_agent(agent_dir, (ALGO,), ENVS, Config)
    return DQNAgent(load_network(folder, q_network, "q"), folder.env_id, folder.config.frames)
