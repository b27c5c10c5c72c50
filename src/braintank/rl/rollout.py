"""Rollouts of vectorised environments, shared by A2C and PPO: `num_envs` environments stepped
together for `rollout` steps, advantages by GAE (plain n-step returns at lambda 1), and the
state a checkpoint needs to go on with the same draws.

A truncated episode (time limit) is bootstrapped from the critic's value of its last
observation (Gymnasium's same-step autoreset hands it over in `final_obs`); a terminated one
is not.
"""

from __future__ import annotations

import json

import numpy as np
import torch

from braintank.rl.common import ReturnsLog, make_env, restore_rng, rng_state
from braintank.rl.episode_state import restore_episode, save_episode

# ---------------------------------------------------------------- environments

def make_vector_env(cfg):
    import gymnasium as gym

    make_env(cfg.env).close()  # fail early, with one line, on a bad id or missing Box2D
    return gym.vector.SyncVectorEnv([lambda: make_env(cfg.env)] * cfg.num_envs,
                                    autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)


# ---------------------------------------------------------------- advantages

def gae(rewards: np.ndarray, values: np.ndarray, next_values: np.ndarray,
        terminated: np.ndarray, ended: np.ndarray, gamma: float, lam: float) -> np.ndarray:
    """Advantages of a rollout, arrays shaped (steps, envs).

    `next_values[t]` is V of the observation after step t (the final observation when the
    episode ended there); `terminated` cuts the bootstrap, `ended` (terminated or
    truncated) cuts the accumulation across episodes.
    """
    advantages = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[1], dtype=rewards.dtype)
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + gamma * next_values[t] * (1 - terminated[t]) - values[t]
        running = delta + gamma * lam * (1 - ended[t]) * running
        advantages[t] = running
    return advantages


# ---------------------------------------------------------------- rollout

def collect_rollout(envs, net, obs: np.ndarray, cfg, log: ReturnsLog, step: int,
                    episodes: dict) -> tuple[dict[str, torch.Tensor], np.ndarray]:
    """`cfg.rollout` steps of every environment, flattened: observations,
    actions, their log-probabilities, GAE advantages, returns and the critic's values; and
    the observation to go on from. `episodes` holds the running returns and lengths."""
    shape = (cfg.rollout, cfg.num_envs)
    b_obs = np.zeros((*shape, obs.shape[1]), dtype=np.float32)
    b_next = np.zeros_like(b_obs)
    b_act = np.zeros(shape, dtype=np.int64)
    b_logp, b_rew = np.zeros(shape, dtype=np.float32), np.zeros(shape, dtype=np.float32)
    b_term, b_end = np.zeros(shape, dtype=np.float32), np.zeros(shape, dtype=np.float32)
    for t in range(cfg.rollout):
        with torch.no_grad():
            dist = net.dist(torch.as_tensor(obs, dtype=torch.float32))
            action = dist.sample()
            b_logp[t] = dist.log_prob(action).numpy()
        next_obs, reward, terminated, truncated, info = envs.step(action.numpy())
        ended = terminated | truncated
        final = next_obs.copy()
        if "_final_obs" in info:  # the last observation of an episode that ended here
            for i in np.flatnonzero(info["_final_obs"]):
                final[i] = info["final_obs"][i]
        b_obs[t], b_act[t], b_rew[t] = obs, action.numpy(), reward * cfg.reward_scale
        b_term[t], b_end[t], b_next[t] = terminated, ended, final
        episodes["return"] += reward
        episodes["length"] += 1
        for i in np.flatnonzero(ended):
            log.add(step + (t + 1) * cfg.num_envs, episodes["return"][i],
                    episodes["length"][i])
            episodes["recent"] = (episodes["recent"] + [float(episodes["return"][i])])[-100:]
            episodes["return"][i], episodes["length"][i] = 0.0, 0
        obs = next_obs
    with torch.no_grad():
        values = net.value(torch.as_tensor(b_obs)).numpy()
        next_values = net.value(torch.as_tensor(b_next)).numpy()
    advantages = gae(b_rew, values, next_values, b_term, b_end, cfg.gamma, cfg.gae_lambda)
    flat = {"obs": b_obs.reshape(-1, obs.shape[1]), "actions": b_act.reshape(-1),
            "log_probs": b_logp.reshape(-1), "advantages": advantages.reshape(-1),
            "returns": (advantages + values).reshape(-1), "values": values.reshape(-1)}
    return {k: torch.as_tensor(v) for k, v in flat.items()}, obs


# ---------------------------------------------------------------- resuming exactly

def rollout_state(envs, obs: np.ndarray, episodes: dict) -> dict:
    """What the next rollouts depend on beyond the networks (A2C's and PPO's checkpoints):
    every random state, each environment's episode in progress (where it is plain data,
    rl/episode_state.py), the observation to go on from and the running episode returns."""
    return {"rng": rng_state(envs.envs[0]),
            "env_rngs": json.dumps([env.np_random.bit_generator.state for env in envs.envs]),
            "episodes": json.dumps([save_episode(env) for env in envs.envs]),
            "obs": torch.from_numpy(np.array(obs, dtype=np.float32)),
            "running": json.dumps({"return": episodes["return"].tolist(),
                                   "length": episodes["length"].tolist(),
                                   "recent": episodes["recent"]})}


def restore_rollout(saved: dict, envs, episodes: dict) -> np.ndarray:
    """Put back `rollout_state`, filling `episodes`; the observation to go on from. Where the
    episodes cannot be put back (Box2D), every environment starts a new one."""
    restore_rng(saved["rng"], envs.envs[0])  # Python's, NumPy's and torch's
    for env, state in zip(envs.envs, json.loads(saved["env_rngs"]), strict=True):
        env.np_random.bit_generator.state = state  # seeded by the reset before this
    running = json.loads(saved["running"])
    episodes["recent"] = running["recent"]
    states = json.loads(saved["episodes"])
    if None in states:
        return envs.reset()[0]
    for env, state in zip(envs.envs, states, strict=True):
        restore_episode(env, state)
    episodes["return"][:] = running["return"]
    episodes["length"][:] = running["length"]
    return saved["obs"].numpy()
