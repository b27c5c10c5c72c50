"""How the car agents end their episodes: refuelled, crashed or out of time, against random
and, with --scripted, against three scripted drivers on the same maps: one that sees the same
20 headlight sums as the course's agents, one that sees the same lit matrix as the
`BraintankCarLitGrid-v0` agents, and one that sees the whole map and plans (the ceiling).

    python benchmarks/rl_car.py [--episodes 100] [--seed 1000] [--scripted] [AGENT ...]
"""

from __future__ import annotations

import argparse

from braintank.rl import load_agent
from braintank.rl.car_drivers import HeadlightDriver, LitMatrixDriver, MapDriver, outcomes
from braintank.rl.common import CAR_GRID_ENV_ID


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("agents", nargs="*", default=["dqn-car", "reinforce-car", "dqn-car-grid",
                                                      "reinforce-car-grid"])
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--scripted", action="store_true",
                        help="also the headlight-rule, lit-matrix and whole-map drivers")
    args = parser.parse_args()
    print("random", outcomes(None, args.episodes, args.seed))
    if args.scripted:
        print("scripted, headlights", outcomes(HeadlightDriver(), args.episodes, args.seed))
        print("scripted, lit matrix", outcomes(LitMatrixDriver(), args.episodes, args.seed,
                                                CAR_GRID_ENV_ID))
        print("scripted, whole map", outcomes(MapDriver(), args.episodes, args.seed))
    for name in args.agents:
        print(name, outcomes(load_agent(name), args.episodes, args.seed))  # on its own car


if __name__ == "__main__":
    main()
