"""Monte-Carlo control on Blackjack (course 8; Sutton & Barto, Example 5.3).

Q(s, a) is the average return of the episodes that visited (s, a) first, kept in a table
(the course's "python dictionary"). Exploration is by exploring starts, as in the book:
every episode starts from a state drawn uniformly (the player's hand and the dealer's shown
card are set on the environment after its deal) with a random first action; later actions
are greedy. Uniform starts matter: a natural deal reaches a soft 18 against a given dealer
card once in a thousand episodes, too rarely to separate hitting from sticking.
The state is (player sum, dealer's showing card, usable ace).

`optimal_q` solves the same game exactly by dynamic programming (infinite deck, dealer
sticks on 17 or more), which is what the learned policy is compared to in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
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
    plot_curve,
    save_arrays,
    write_meta,
)

ALGO = "mc-blackjack"
ENVS = ("Blackjack-v1",)
TABLE_FILE, VALUES_FILE, POLICY_FILE = "table.npz", "values.png", "policy.png"
STICK, HIT = 0, 1
SUMS, DEALER = 32, 11  # table index ranges: player sum 0..31, dealer card 1..10


# ---------------------------------------------------------------- config

@dataclass
class Config(ConfigBase):
    settings_name = "mc-blackjack"

    env: str = "Blackjack-v1"
    seed: int = seed_setting(0)
    steps: int = setting(2_000_000, at_least=1)  # episodes
    # episodes per row of the returns log (their mean return)
    log_every: int = setting(10_000, at_least=1)


# ---------------------------------------------------------------- table agent

class BlackjackAgent:
    def __init__(self, q: np.ndarray, env_id: str = "Blackjack-v1") -> None:
        self.q_, self.env_id = q, env_id

    def act(self, observation) -> int:
        player, dealer, usable = (int(v) for v in observation)
        return int(np.argmax(self.q_[player, dealer, usable]))

    def policy(self) -> np.ndarray:
        """Greedy action for player sums 12..21 (rows) x dealer 1..10 (columns), per ace."""
        return self.q_[12:22, 1:11].argmax(-1).transpose(2, 0, 1)


# ---------------------------------------------------------------- train loop

def train(cfg: Config, out: Path, resume: bool = False, progress: bool = True) -> dict:
    cfg.validate()
    check_env_for(ALGO, cfg.env, ENVS)
    out.mkdir(parents=True, exist_ok=True)
    env = make_env(cfg.env).unwrapped  # skip the checking wrappers: millions of short episodes
    rng = np.random.default_rng(cfg.seed)
    # the course's dictionary: state -> [Q(stick), Q(hit)], [visits(stick), visits(hit)]
    q: dict[tuple, list[float]] = {}
    visits: dict[tuple, list[int]] = {}
    starts = rng.integers(len(START_STATES), size=cfg.steps).tolist()  # exploring starts
    first_actions = rng.integers(2, size=cfg.steps).tolist()
    log = ReturnsLog(out)
    block = 0.0
    env.reset(seed=cfg.seed)
    for episode in progress_bar(range(1, cfg.steps + 1), disable=not progress, unit="ep"):
        observation = exploring_start(env, *START_STATES[starts[episode - 1]])
        visited, done, reward = [], False, 0.0
        action = first_actions[episode - 1]
        while not done:
            state = (int(observation[0]), int(observation[1]), int(observation[2]))
            visited.append((state, action))
            observation, reward, terminated, truncated, _ = env.step(action)
            done = terminated or truncated
            values = q.get((int(observation[0]), int(observation[1]), int(observation[2])))
            action = STICK if values is None or values[STICK] >= values[HIT] else HIT
        # Blackjack pays only at the end and never revisits a state: every visit is first
        for state, a in visited:
            n = visits.setdefault(state, [0, 0])
            values = q.setdefault(state, [0.0, 0.0])
            n[a] += 1
            values[a] += (reward - values[a]) / n[a]
        block += reward
        if episode % cfg.log_every == 0:
            log.add(episode, block / cfg.log_every, cfg.log_every)
            block = 0.0
    log.close()
    agent = BlackjackAgent(as_table(q), cfg.env)
    save_arrays(out / TABLE_FILE, q=agent.q_, visits=as_table(visits))
    write_meta(out, {"algo": ALGO, "env": cfg.env, "config": cfg.to_dict(),
                     "steps_done": cfg.steps})
    plot_curve(log.path, out / CURVE_FILE, "Monte-Carlo control on Blackjack (exploring starts)",
               window=10)
    plot_values_and_policy(agent, out / VALUES_FILE, out / POLICY_FILE)
    return {"episodes": cfg.steps}


START_STATES = ([(player, dealer, False) for player in range(4, 22) for dealer in range(1, 11)]
                + [(player, dealer, True) for player in range(12, 22) for dealer in range(1, 11)])


def hand_for(player: int, usable_ace: bool) -> list[int]:
    """Cards that make the player sum, with or without an ace counted as 11."""
    if usable_ace:
        return [1, player - 11]
    if player <= 11:
        return [2, player - 2]
    return [10, player - 10] if player <= 20 else [10, 9, 2]


def exploring_start(env, player: int, dealer: int, usable_ace: bool) -> tuple:
    """Deal as usual (the dealer's hidden card comes from the environment's own generator),
    then set the hands so the episode starts in the chosen state."""
    env.reset()
    env.player = hand_for(player, usable_ace)
    env.dealer = [dealer, env.dealer[1]]
    return env._get_obs()


def as_table(entries: dict[tuple, list]) -> np.ndarray:
    table = np.zeros((SUMS, DEALER, 2, 2))
    for (player, dealer, usable), values in entries.items():
        table[player, dealer, usable] = values
    return table


# ---------------------------------------------------------------- exact solution

def _card_probs() -> list[tuple[int, float]]:
    return [(c, 1 / 13) for c in range(1, 10)] + [(10, 4 / 13)]


@cache
def _dealer_final(total: int, soft: bool) -> tuple[tuple[int, float], ...]:
    """Distribution of the dealer's final sum (22 = bust) from a hand (total, usable ace)."""
    if total > 21 and soft:
        total, soft = total - 10, False
    if total > 21:
        return ((22, 1.0),)
    if total >= 17:
        return ((total, 1.0),)
    out: dict[int, float] = {}
    for card, p in _card_probs():
        if card == 1 and total + 11 <= 21:
            nxt = _dealer_final(total + 11, True)
        else:
            nxt = _dealer_final(total + card, soft)
        for final, q in nxt:
            out[final] = out.get(final, 0.0) + p * q
    return tuple(out.items())


def _stick_value(player: int, dealer_card: int) -> float:
    start = (11, True) if dealer_card == 1 else (dealer_card, False)
    value = 0.0
    for final, p in _dealer_final(*start):
        value += p * (1.0 if final == 22 or player > final else 0.0 if player == final else -1.0)
    return value


@cache
def _best_value(player: int, dealer_card: int, usable: bool) -> float:
    return max(optimal_q_state(player, dealer_card, usable))


def optimal_q_state(player: int, dealer_card: int, usable: bool) -> tuple[float, float]:
    """Exact (Q(stick), Q(hit)) of the infinite-deck game for one state."""
    hit = 0.0
    for card, p in _card_probs():
        total, soft = player + card, usable
        if card == 1 and total + 10 <= 21:
            total, soft = total + 10, True
        if total > 21 and soft:
            total, soft = total - 10, False
        hit += p * (-1.0 if total > 21 else _best_value(total, dealer_card, soft))
    return _stick_value(player, dealer_card), hit


def optimal_q() -> np.ndarray:
    """Exact Q for player sums 12..21 x dealer 1..10 x usable ace 0/1 x (stick, hit)."""
    q = np.zeros((10, 10, 2, 2))
    for i, player in enumerate(range(12, 22)):
        for j, dealer in enumerate(range(1, 11)):
            for usable in (0, 1):
                q[i, j, usable] = optimal_q_state(player, dealer, bool(usable))
    return q


# ---------------------------------------------------------------- plots

def plot_values_and_policy(agent: BlackjackAgent, values_png: Path, policy_png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from braintank.fileio import atomic_open

    v = agent.q_[12:22, 1:11].max(-1)  # (sum, dealer, usable)
    policy = agent.policy()
    for png, grids, title, cmap in ((values_png, [v[..., 1], v[..., 0]], "V(s)", "viridis"),
                                    (policy_png, [policy[1], policy[0]], "policy (1 = hit)",
                                     "coolwarm")):
        fig, axes = plt.subplots(1, 2, figsize=(9, 4))
        for ax, grid, name in zip(axes, grids, ("usable ace", "no usable ace"), strict=True):
            image = ax.imshow(grid, origin="lower", cmap=cmap, extent=(0.5, 10.5, 11.5, 21.5),
                              aspect="auto")
            ax.set_xticks(range(1, 11), ["A", *map(str, range(2, 11))])
            ax.set_xlabel("dealer showing")
            ax.set_ylabel("player sum")
            ax.set_title(f"{title}, {name}")
            fig.colorbar(image, ax=ax)
        fig.tight_layout()
        with atomic_open(png, "wb") as handle:
            fig.savefig(handle, format="png", dpi=80)
        plt.close(fig)


# ---------------------------------------------------------------- load

def load(agent_dir: Path) -> BlackjackAgent:
    folder = read_agent(agent_dir, (ALGO,), ENVS, Config)
    return BlackjackAgent(load_table(folder, TABLE_FILE, (SUMS, DEALER, 2, 2)), folder.env_id)
