"""Reinforcement learning of the course (courses 8 and 10), one readable file per algorithm.

    from braintank.rl import load_agent
    agent = load_agent("a2c-lunarlander")   # a shipped agent's name, or an agent folder
    action = agent.act(observation)         # greedy
"""

from braintank.rl.registry import ALGORITHMS, load_agent, resolve_agent_dir, shipped_agents

__all__ = ["ALGORITHMS", "load_agent", "resolve_agent_dir", "shipped_agents"]
