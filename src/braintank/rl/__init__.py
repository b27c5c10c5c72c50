"""Reinforcement learning of the course (courses 8 and 10), one readable file per algorithm.

    from braintank.rl import load_agent
    agent = load_agent("a2c-lunarlander")   # a shipped agent's name, or an agent folder
    agent.start(env)                        # at each episode's start, where the agent has it
    action = agent.act(observation)         # greedy

Agents that see their last few observations (the car's, rl/history.py) have `start`, which
forgets the last episode; `rl.common.run_episode` calls it for you.
"""

from braintank.rl.names import ALGORITHMS

__all__ = ["ALGORITHMS", "load_agent", "resolve_agent_dir", "shipped_agents"]


def __getattr__(name: str):
    # The registry loads torch; importing `braintank.rl.names` (the CLI's help) must not.
    if name in ("load_agent", "resolve_agent_dir", "shipped_agents"):
        from braintank.rl import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'braintank.rl' has no attribute {name!r}")
