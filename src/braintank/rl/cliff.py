"""Q-learning and SARSA on the cliff (course 10; Sutton & Barto, Example 6.6).

Both learn a table Q(s, a) with ε-greedy behaviour (ε = 0.1) and step size α = 0.5; they
differ only in the target. Q-learning (off-policy) bootstraps from the best next action and
learns the short path along the cliff edge, falling in now and then while it explores;
SARSA (on-policy) bootstraps from the action it will actually take and learns a safer path
away from the edge. The returns log holds the online sum of rewards per episode, averaged
over `runs` independent runs, as in the book's figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from braintank.config import ConfigBase, setting
from braintank.progress import progress_bar
from braintank.rl.agentfile import load_table, read_agent, seed_setting
from braintank.rl.common import (
    CURVE_FILE,
    ReturnsLog,
    check_env_for,
    make_env,
    save_arrays,
    write_meta,
)

ALGOS = ("q-learning", "sarsa")
ENVS = ("CliffWalking-v1",)
TABLE_FILE, PATH_FILE = "table.npz", "path.png"
ROWS, COLS = 4, 12
EVAL_STEP_LIMIT = 200  # a greedy table that loops is cut off here when evaluated


# ---------------------------------------------------------------- config

@dataclass
class Config(ConfigBase):
    settings_name = "tabular"

    algo: str = setting("q-learning", label="tabular method", choices=ALGOS)
    env: str = "CliffWalking-v1"
    seed: int = seed_setting(0)
    steps: int = setting(500, at_least=1)  # episodes per run
    runs: int = setting(50, at_least=1)    # independent runs averaged in the returns log
    alpha: float = setting(0.5, above=0, at_most=1)
    epsilon: float = setting(0.1, at_most=1)
    gamma: float = setting(1.0, at_most=1)


# ---------------------------------------------------------------- table agent

class TableAgent:
    def __init__(self, q: np.ndarray, env_id: str = "CliffWalking-v1") -> None:
        self.q_, self.env_id = q, env_id

    def act(self, observation) -> int:
        return greedy(self.q_[int(observation)])


def greedy(values: np.ndarray, rng: np.random.Generator | None = None) -> int:
    """argmax with ties broken at random (when rng is given), so untried moves get tried."""
    best = np.flatnonzero(values == values.max())
    return int(best[0] if rng is None or len(best) == 1 else rng.choice(best))


def eps_greedy(values: np.ndarray, eps: float, rng: np.random.Generator) -> int:
    return int(rng.integers(len(values))) if rng.random() < eps else greedy(values, rng)


# ---------------------------------------------------------------- update

def td_target(algo: str, q: np.ndarray, reward: float, next_state: int, next_action: int,
              terminated: bool, gamma: float) -> float:
    if terminated:
        return reward
    if algo == "sarsa":
        return reward + gamma * q[next_state, next_action]
    return reward + gamma * q[next_state].max()


def run_once(cfg: Config, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One run: the learned table and the online return of every episode."""
    env = make_env(cfg.env).unwrapped
    rng = np.random.default_rng(seed)
    q = np.zeros((env.observation_space.n, env.action_space.n))
    returns = np.zeros(cfg.steps)
    env.reset(seed=seed)
    for episode in range(cfg.steps):
        state, _ = env.reset()
        action = eps_greedy(q[state], cfg.epsilon, rng)
        terminated = False
        while not terminated:
            next_state, reward, terminated, _, _ = env.step(action)
            next_action = eps_greedy(q[next_state], cfg.epsilon, rng)
            target = td_target(cfg.algo, q, reward, next_state, next_action, terminated,
                               cfg.gamma)
            q[state, action] += cfg.alpha * (target - q[state, action])
            returns[episode] += reward
            state, action = next_state, next_action
    env.close()
    return q, returns


# ---------------------------------------------------------------- train loop

def train(cfg: Config, out: Path, resume: bool = False, progress: bool = True) -> dict:
    cfg.validate()
    check_env_for(cfg.algo, cfg.env, ENVS)
    out.mkdir(parents=True, exist_ok=True)
    all_returns, tables = [], []
    for run in progress_bar(range(cfg.runs), disable=not progress, unit="run"):
        q, returns = run_once(cfg, cfg.seed * 10_000 + run)
        tables.append(q)
        all_returns.append(returns)
    mean_returns = np.mean(all_returns, axis=0)
    log = ReturnsLog(out)
    for episode, value in enumerate(mean_returns, start=1):
        log.add(episode, float(value), 0)
    log.close()
    q = tables[0]  # the agent kept is the first run's table
    agent = TableAgent(q, cfg.env)
    path, path_return = greedy_path(agent)
    result = {"mean_online_return_last_100": float(mean_returns[-100:].mean()),
              "greedy_path_return": path_return}
    save_arrays(out / TABLE_FILE, q=q, mean_returns=mean_returns)
    write_meta(out, {"algo": cfg.algo, "env": cfg.env, "config": cfg.to_dict(), **result})
    plot_cliff({cfg.algo: mean_returns}, {cfg.algo: path}, out / CURVE_FILE, out / PATH_FILE)
    return result


def greedy_path(agent: TableAgent) -> tuple[list[int], float]:
    """The states visited by the greedy policy from the start, and its return."""
    env = make_env(agent.env_id).unwrapped
    state, _ = env.reset(seed=0)
    path, total, terminated = [state], 0.0, False
    while not terminated and len(path) <= EVAL_STEP_LIMIT:
        state, reward, terminated, _, _ = env.step(agent.act(state))
        path.append(state)
        total += reward
    env.close()
    return path, total


# ---------------------------------------------------------------- plots

def plot_cliff(curves: dict[str, np.ndarray], paths: dict[str, list[int]], curve_png: Path,
               path_png: Path) -> None:
    """Online returns per episode (smoothed over 10 episodes) and the greedy paths on the grid."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from braintank.fileio import atomic_open

    fig, ax = plt.subplots(figsize=(7, 4))
    for name, returns in curves.items():
        smooth = np.convolve(returns, np.ones(10) / 10, mode="valid")
        ax.plot(np.arange(10, len(returns) + 1), smooth, label=name)
    ax.set_ylim(-100, 0)
    ax.set_xlabel("episode")
    ax.set_ylabel("sum of rewards during episode")
    ax.set_title("Cliff walking, ε = 0.1, α = 0.5 (mean of runs)")
    ax.legend()
    fig.tight_layout()
    with atomic_open(curve_png, "wb") as handle:
        fig.savefig(handle, format="png", dpi=90)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3))
    ax.add_patch(plt.Rectangle((0.5, -0.5), COLS - 2, 1, color="0.6"))
    ax.text(COLS / 2 - 0.5, 0, "cliff", ha="center", va="center")
    for k, (name, path) in enumerate(paths.items()):
        rows, cols = np.divmod(np.array(path), COLS)
        offset = 0.08 * (k - (len(paths) - 1) / 2)
        ax.plot(cols + offset, ROWS - 1 - rows + offset, "-o", ms=3, label=name)
    ax.set_xlim(-0.5, COLS - 0.5)
    ax.set_ylim(-0.5, ROWS - 0.5)
    ax.set_xticks(range(COLS))
    ax.set_yticks(range(ROWS))
    ax.grid(True)
    ax.set_aspect("equal")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=len(paths))
    ax.set_title("greedy paths from S (bottom left) to G (bottom right)")
    fig.tight_layout()
    with atomic_open(path_png, "wb") as handle:
        fig.savefig(handle, format="png", dpi=90)
    plt.close(fig)


# ---------------------------------------------------------------- load

def load(agent_dir: Path) -> TableAgent:
    folder = read_agent(agent_dir, ALGOS, ENVS, Config)
    return TableAgent(load_table(folder, TABLE_FILE, (ROWS * COLS, 4)), folder.env_id)


def train_both(cfg: Config, out: Path, progress: bool = True) -> dict:
    """Q-learning and SARSA side by side: each in its own agent folder, one shared plot."""
    results, curves, paths = {}, {}, {}
    for algo in ALGOS:
        results[algo] = train(cfg.replace(algo=algo), out / algo,
                              progress=progress)
        agent = load(out / algo)
        with np.load(out / algo / TABLE_FILE) as data:
            curves[algo] = data["mean_returns"]
        paths[algo] = greedy_path(agent)[0]
    plot_cliff(curves, paths, out / CURVE_FILE, out / PATH_FILE)
    return results
