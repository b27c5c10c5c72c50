"""What every algorithm file shares: making environments, the agent folder, the returns log
and learning curve, checkpoints and greedy evaluation.

An agent folder holds `agent.json` (algorithm, environment, settings, results) and the
learned state (`model.pt` for networks, `table.npz` for tabular methods). Writes are atomic,
so a training killed mid-save keeps the previous checkpoint.
"""

from __future__ import annotations

import io
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from braintank.errors import BraintankError
from braintank.fileio import atomic_open, atomic_write_bytes, atomic_write_text, unpacked_bytes
from braintank.rl.interval import mean_interval

AGENT_FILE = "agent.json"
RETURNS_FILE = "returns.jsonl"
CURVE_FILE = "curve.png"
MODEL_FILE, CHECKPOINT_FILE = "model.pt", "checkpoint.pt"  # network agents' weights, resume state
# Mean return over 100 episodes at which an environment counts as solved (drawn on the curves).
GOALS = {"CartPole-v1": 475.0, "LunarLander-v3": 200.0}
CAR_ENV_ID = "BraintankCar-v0"            # the course's car: its headlights' 20 column sums
CAR_GRID_ENV_ID = "BraintankCarLitGrid-v0"  # the same car seeing the whole (20,10) headlight matrix
CAR_VIEWS = {CAR_ENV_ID: "sums", CAR_GRID_ENV_ID: "grid"}
UNLIMITED_ENV_STEP_CAP = 1000
BOX2D_HINT = 'install it with: pip install "gymnasium[box2d]"'


class Agent(Protocol):
    env_id: str

    def act(self, observation: Any) -> int: ...


# ---------------------------------------------------------------- environments

def make_env(env_id: str, render_mode: str | None = None, **kwargs: Any):
    """gymnasium.make with the car registered and one-line errors for unknown ids or a
    missing Box2D."""
    import os

    import gymnasium as gym

    if render_mode == "rgb_array":  # pygame draws off-screen; no display or sound needed
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    if env_id in CAR_VIEWS and env_id not in gym.registry:
        gym.register(id=env_id, entry_point="braintank.rl.car_env:CarEnv",
                     max_episode_steps=500, kwargs={"view": CAR_VIEWS[env_id]})
    try:
        if gym.spec(env_id).max_episode_steps is None:  # a looping greedy policy must end
            kwargs.setdefault("max_episode_steps", UNLIMITED_ENV_STEP_CAP)
        return gym.make(env_id, render_mode=render_mode, **kwargs)
    except gym.error.DependencyNotInstalled as exc:
        raise BraintankError(f"environment {env_id} needs Box2D, which is not installed; "
                             f"{BOX2D_HINT}") from exc
    except gym.error.Error as exc:  # NameNotFound, VersionNotFound, ...
        raise BraintankError(f"unknown environment {env_id!r}: {exc}") from exc


def preset_for(presets: dict[str, dict], env_id: str) -> dict:
    """A learner's preset settings for `env_id`. Both cars (sums or lit matrix) take the
    car's recipe, which the lit matrix's own entry, where a learner has one, changes."""
    car = presets.get(CAR_ENV_ID, {}) if env_id in CAR_VIEWS else {}
    return {**car, **presets.get(env_id, {})}


def check_env_for(algo: str, env_id: str, allowed: tuple[str, ...]) -> None:
    if env_id not in allowed:
        raise BraintankError(f"algorithm {algo} does not run on environment {env_id!r}; "
                             f"choose one of: {', '.join(allowed)}")


def set_seeds(seed: int) -> None:
    import random

    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def rng_state(env) -> dict:
    """Every random state a training run draws from (Python, NumPy, torch, the environment's
    own generator), in a form a weights-only checkpoint holds: a run resumed from it draws
    exactly what the uninterrupted run would have."""
    import random

    import torch

    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    numbers = {"python": [version, list(internal), gauss],
               "numpy": [kind, keys.tolist(), pos, has_gauss, cached],
               "env": env.np_random.bit_generator.state}
    return {"json": json.dumps(numbers), "torch": torch.get_rng_state()}


def restore_rng(state: dict, env) -> None:
    """Put back what `rng_state` saved (the environment's generator included)."""
    import random

    import torch

    numbers = json.loads(state["json"])
    version, internal, gauss = numbers["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = numbers["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    generator = np.random.Generator(getattr(np.random, numbers["env"]["bit_generator"])())
    generator.bit_generator.state = numbers["env"]
    env.np_random = generator


# ---------------------------------------------------------------- agent folder

def write_meta(out: Path, meta: dict) -> None:
    atomic_write_text(out / AGENT_FILE, json.dumps(meta, indent=2) + "\n")


def save_torch(path: Path, payload: dict) -> None:
    import torch

    with atomic_open(path, "wb") as handle:
        torch.save(payload, handle)


MAX_TORCH_BYTES = 256 * 2**20  # an agent's weights, unpacked
# a run's checkpoint, unpacked: it also holds DQN's replay buffer, 320 MB for 50k steps of the
# car's 200 lit cells x 4 observations (BraintankCarLitGrid-v0)
MAX_CHECKPOINT_BYTES = 8 * 2**30


def load_torch(path: Path, checkpoint: bool = False) -> object:
    """What a model.pt or (`checkpoint`) a checkpoint.pt holds, read weights-only (no file
    runs code) from a regular file whose archive unpacks to at most MAX_TORCH_BYTES
    (MAX_CHECKPOINT_BYTES for a checkpoint)."""
    import torch

    limit, whose = ((MAX_CHECKPOINT_BYTES, "a checkpoint's") if checkpoint
                    else (MAX_TORCH_BYTES, "an agent's"))

    if not path.exists():
        raise BraintankError(f"{path} is missing: the agent folder is incomplete")
    if not path.is_file():
        raise BraintankError(f"{path}: not a regular file")
    unpacked = unpacked_bytes(path)
    if unpacked is None:
        raise BraintankError(f"{path} is not a readable PyTorch file (not a zip archive)")
    if unpacked > limit:
        raise BraintankError(f"{path}: unpacks to {unpacked:,} bytes, more than {whose} "
                             f"{limit:,}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - a damaged archive breaks the unpickler many ways
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise BraintankError(f"{path} is not a readable PyTorch file ({reason})") from None


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def resume_from(out: Path, resume: bool, meta: dict, **parts: Any) -> tuple[dict | None, int,
                                                                          float]:
    """A learner's start: (checkpoint, step, best validation return). Resuming from `out`'s
    checkpoint, its state dicts go into `parts` (name: module or optimizer) and its best_step
    into `meta`; otherwise (None, 0, -inf)."""
    if not (resume and (out / CHECKPOINT_FILE).is_file()):
        return None, 0, -math.inf
    state = load_torch(out / CHECKPOINT_FILE, checkpoint=True)
    for name, part in parts.items():
        part.load_state_dict(state[name])
    meta["best_step"] = state.get("best_step")
    return state, state["step"], state["best"]


def check_finite(value: float, what: str, out: Path) -> None:
    """Stop a diverged training with a clear message; the last checkpoint stays in `out`."""
    if not math.isfinite(value):
        raise BraintankError(f"{what} became {value} (training diverged); the last checkpoint "
                             f"in {out} is kept, resume with a smaller learning rate")


# ---------------------------------------------------------------- returns log and curve

class ReturnsLog:
    """One JSON line per finished training episode, appended and flushed as it happens."""

    def __init__(self, out: Path, resume: bool = False, until_step: int | None = None) -> None:
        """`resume` appends to the log; `until_step` first drops the episodes logged after
        that step (by a run killed after its last checkpoint, which the resumed run plays
        again)."""
        self.path = out / RETURNS_FILE
        out.mkdir(parents=True, exist_ok=True)
        self.started = time.monotonic()
        if resume and until_step is not None and self.path.is_file():
            kept = [line for line in self.path.read_text(encoding="utf-8").splitlines()
                    if line.strip() and json.loads(line)["step"] <= until_step]
            atomic_write_text(self.path, "".join(line + "\n" for line in kept))
        self._handle = open(self.path, "a" if resume else "w", encoding="utf-8")  # noqa: SIM115

    def add(self, step: int, episode_return: float, length: int, **extra: float) -> None:
        row = {"step": int(step), "return": float(episode_return), "length": int(length),
               "seconds": round(time.monotonic() - self.started, 2), **extra}
        self._handle.write(json.dumps(row) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def read_returns(path: Path) -> list[dict]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def plot_curve(returns_path: Path, png: Path, title: str, goal: float | None = None,
               window: int = 100) -> None:
    """Episode returns against environment steps, with a moving average and the goal."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = read_returns(returns_path)
    if not rows:
        return
    steps = np.array([r["step"] for r in rows])
    returns = np.array([r["return"] for r in rows])
    k = min(window, len(returns))
    smooth = np.convolve(returns, np.ones(k) / k, mode="valid")
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(steps, returns, ".", ms=2, alpha=0.3, label="episode return")
    ax.plot(steps[k - 1:], smooth, lw=2, label=f"mean of last {k}")
    if goal is not None:
        ax.axhline(goal, color="k", ls="--", lw=1, label=f"goal {goal:g}")
    ax.set_xlabel("environment steps")
    ax.set_ylabel("return")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    with atomic_open(png, "wb") as handle:
        fig.savefig(handle, format="png", dpi=90)
    plt.close(fig)


# ---------------------------------------------------------------- evaluation

def run_episode(agent: Agent, env, seed: int | None,
                on_frame: Callable[[np.ndarray], None] | None = None) -> tuple[float, int]:
    observation, _ = env.reset(seed=seed)
    if hasattr(agent, "start"):  # an agent with memory (stacked observations) forgets
        agent.start(env)
    total, length, done = 0.0, 0, False
    while not done:
        if on_frame is not None:
            on_frame(env.render())
        observation, reward, terminated, truncated, _ = env.step(agent.act(observation))
        total += float(reward)
        length += 1
        done = terminated or truncated
    if on_frame is not None:
        on_frame(env.render())
    return total, length


def validate_and_save(out: Path, agent: Agent, cfg: Any, step: int, best: float, meta: dict,
                      network: dict, checkpoint: dict, minutes: float, title: str) -> float:
    """The learners' periodic check: play `cfg.eval_episodes` greedy episodes on the
    validation seeds; keep `network` as model.pt when it does at least as well as the best so
    far; always write checkpoint.pt (`checkpoint` plus step and best), agent.json and the
    curve. Returns the best validation return."""
    score = evaluate(agent, cfg.eval_episodes, cfg.eval_seed, cfg.env)["mean_return"]
    if score >= best:  # keep the policy that did best on the validation seeds
        best = score
        meta["best_step"] = step
        save_torch(out / MODEL_FILE, network)
    save_torch(out / CHECKPOINT_FILE, {**checkpoint, "step": step, "best": best,
                                       "best_step": meta.get("best_step")})
    meta.update(steps_done=step, best_validation_return=best, minutes=round(minutes, 2))
    write_meta(out, meta)
    plot_curve(out / RETURNS_FILE, out / CURVE_FILE, title, GOALS.get(cfg.env))
    return best


def evaluate(agent: Agent, episodes: int, seed: int, env_id: str | None = None) -> dict:
    """Greedy returns over `episodes` episodes seeded seed, seed+1, ..."""
    if episodes < 1:
        raise BraintankError(f"--episodes must be at least 1, got {episodes}")
    env = make_env(env_id or agent.env_id)
    returns, lengths = [], []
    for i in range(episodes):
        total, length = run_episode(agent, env, seed + i)
        returns.append(total)
        lengths.append(length)
    env.close()
    _, low, high = mean_interval(returns)
    return {"mean_return": float(np.mean(returns)), "std_return": float(np.std(returns)),
            "ci95_low": low, "ci95_high": high,
            "episodes": episodes, "seed": seed, "env": env_id or agent.env_id,
            "min_return": float(np.min(returns)), "max_return": float(np.max(returns)),
            "mean_length": float(np.mean(lengths))}
