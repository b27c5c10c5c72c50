"""Reinforcement learning of the course (courses 8 and 10), one readable file per algorithm.

    from braintank.rl import load_agent
    agent = load_agent("a2c-lunarlander")   # a shipped agent's name, or an agent folder
    action = agent.act(observation)         # greedy
"""

from braintank.rl.names import ALGORITHMS

__all__ = ["ALGORITHMS", "load_agent", "resolve_agent_dir", "shipped_agents"]


def __getattr__(name: str):
    # The registry loads torch; importing `braintank.rl.names` (the CLI's help) must not.
    if name in ("load_agent", "resolve_agent_dir", "shipped_agents"):
        from braintank.rl import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'braintank.rl' has no attribute {name!r}")
