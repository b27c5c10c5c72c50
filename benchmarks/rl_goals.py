"""The shipped reinforcement-learning agents against their goals, on unseen seeds.

Each agent plays `--episodes` greedy episodes seeded 1000, 1001, ... (training used seeds
0..15 for its environments' first resets and validation used 100000+; neither is reused here).

    python benchmarks/rl_goals.py [--episodes 100] [--seed 1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

from braintank.rl import load_agent, shipped_agents
from braintank.rl.common import evaluate

GOALS = {"dqn-cartpole": 475.0, "a2c-lunarlander": 200.0, "ppo-lunarlander": 200.0,
         "reinforce-cartpole": 475.0,
         "q-learning-cliff": -13.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for name in shipped_agents():
        started = time.monotonic()
        result = evaluate(load_agent(name), args.episodes, args.seed)
        goal = GOALS.get(name)
        rows.append({"agent": name, **result, "goal": goal,
                     "met": None if goal is None else result["mean_return"] >= goal,
                     "seconds": round(time.monotonic() - started, 1)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        goal = "" if row["goal"] is None else f"  goal {row['goal']:g}: {row['met']}"
        print(f"{row['agent']:20s} {row['env']:16s} mean {row['mean_return']:8.2f} "
              f"± {row['std_return']:7.2f} over {row['episodes']}{goal}")


if __name__ == "__main__":
    main()
