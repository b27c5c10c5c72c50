"""Algorithm names, shipped agents by name, and `load_agent` for any agent folder."""

from __future__ import annotations

import importlib
from pathlib import Path

from braintank.errors import BraintankError
from braintank.rl.agentfile import read_meta
from braintank.rl.common import Agent
from braintank.rl.names import ALGORITHMS

SHIPPED_DIR = Path(__file__).parent / "agents"


def algorithm_module(algo: str):
    if algo not in ALGORITHMS:
        raise BraintankError(f"unknown algorithm {algo!r}; choose one of: "
                             f"{', '.join(ALGORITHMS)}")
    return importlib.import_module(ALGORITHMS[algo])


def shipped_agents() -> list[str]:
    if not SHIPPED_DIR.is_dir():
        return []
    return sorted(p.name for p in SHIPPED_DIR.iterdir() if (p / "agent.json").is_file())


def resolve_agent_dir(name_or_dir: str | Path) -> Path:
    """An existing folder as given, else a shipped agent of that name."""
    path = Path(name_or_dir)
    if path.is_dir():
        return path
    if "/" not in str(name_or_dir) and (SHIPPED_DIR / str(name_or_dir)).is_dir():
        return SHIPPED_DIR / str(name_or_dir)
    raise BraintankError(f"no agent folder {name_or_dir!r} and no shipped agent of that name; "
                         f"shipped: {', '.join(shipped_agents()) or 'none'}")


def load_agent(name_or_dir: str | Path) -> Agent:
    """The agent in a folder (or a shipped one by name), acting greedily."""
    agent_dir = resolve_agent_dir(name_or_dir)
    meta = read_meta(agent_dir)
    return algorithm_module(meta["algo"]).load(agent_dir)
