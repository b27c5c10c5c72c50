"""`braintank rl train|eval|play`: the reinforcement-learning agents of courses 8 and 10."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from braintank.errors import BraintankError
from braintank.fileio import make_folder
from braintank.rl.names import RESUMABLE, TRAINABLE


def register(subparsers: argparse._SubParsersAction) -> None:
    rl = subparsers.add_parser("rl", help="reinforcement learning: train, evaluate and watch "
                                          "agents (Blackjack, cliff, car, CartPole, LunarLander)")
    sub = rl.add_subparsers(dest="rl_command", metavar="SUBCOMMAND")

    t = sub.add_parser("train", help="train an agent into a folder")
    t.add_argument("algo", metavar="ALGO", help=f"one of: {', '.join(TRAINABLE)}")
    t.add_argument("--env", help="environment id (default: the algorithm's own; "
                                 "BraintankCar-v0 is the course's car, "
                                 "BraintankCarLitGrid-v0 the same car seeing its whole "
                                 "headlight matrix)")
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("--steps", type=int, help="environment steps (episodes for the tabular "
                                             "methods); default: the algorithm's")
    t.add_argument("--runs", type=int, help="cliff methods: independent runs to average")
    t.add_argument("--max-minutes", type=float, help="stop training after this many minutes")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="any other setting of the algorithm (repeatable; VALUE in JSON, or "
                        "a bare word), e.g. --set lr=3e-4 --set optimizer=adam")
    t.add_argument("--out", required=True, help="agent folder to write")
    t.add_argument("--resume", action="store_true",
                   help=f"continue from the checkpoint in --out ({', '.join(RESUMABLE)})")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.set_defaults(func=run_train)

    e = sub.add_parser("eval", help="greedy returns of an agent over N episodes")
    e.add_argument("agent", metavar="AGENT", help="agent folder or shipped agent name")
    e.add_argument("--episodes", type=int, default=100, help="episodes (default 100)")
    e.add_argument("--seed", type=int, default=1000,
                   help="seed of the first episode; episode i uses seed+i (default 1000)")
    e.add_argument("--json", action="store_true", help="print the result as JSON")
    e.set_defaults(func=run_eval)

    p = sub.add_parser("play", help="record one greedy episode as an animated GIF")
    p.add_argument("agent", metavar="AGENT", help="agent folder or shipped agent name")
    p.add_argument("--out", required=True, help="GIF file to write")
    p.add_argument("--seed", type=int, default=1000, help="episode seed (default 1000)")
    p.add_argument("--max-frames", type=int, default=400, help="frames kept (default 400)")
    p.add_argument("--fps", type=int, default=25, help="frames per second (default 25)")
    p.set_defaults(func=run_play)
    rl.set_defaults(func=lambda _args: rl.print_help() or 2)


def _positive(value: int | float | None, option: str) -> None:
    # `not value > 0` also refuses NaN, which every comparison calls false
    if value is not None and (not value > 0 or not math.isfinite(value)):
        raise BraintankError(f"{option} must be positive and finite, got {value}")


def _seeds(first: int, count: int = 1) -> None:
    """Seeds first..first+count-1 must be ones NumPy and gymnasium take (0 to 2**32 - 1)."""
    from braintank.rl.agentfile import SEED_LIMIT

    if not 0 <= first <= SEED_LIMIT - max(count - 1, 0):
        raise BraintankError(f"--seed must be from 0 to {SEED_LIMIT - max(count - 1, 0)}"
                             + (f" (episodes use seeds up to seed+{count - 1})" if count > 1
                                else "") + f", got {first}")


def run_train(args: argparse.Namespace) -> int:
    from dataclasses import fields

    from braintank.rl.registry import algorithm_module

    if args.algo not in TRAINABLE:
        raise BraintankError(f"unknown algorithm {args.algo!r}; choose one of: "
                             f"{', '.join(TRAINABLE)}")
    for value, option in ((args.steps, "--steps"), (args.runs, "--runs"),
                          (args.max_minutes, "--max-minutes")):
        _positive(value, option)
    _seeds(args.seed)
    module = algorithm_module("q-learning" if args.algo == "cliff" else args.algo)
    overrides = {"seed": args.seed, "steps": args.steps, "runs": args.runs,
                 "max_minutes": args.max_minutes, "env": args.env}
    if args.algo in ("q-learning", "sarsa"):
        overrides["algo"] = args.algo
    known = {f.name for f in fields(module.Config)}
    overrides = {k: v for k, v in overrides.items() if v is not None and k in known}
    settings = _settings(args.set)
    if settings and args.resume:
        raise BraintankError("--set cannot change the settings of a run being resumed")
    overrides.update(settings)
    if hasattr(module, "ENVS") and "env" in overrides and overrides["env"] not in module.ENVS:
        raise BraintankError(f"algorithm {args.algo} does not run on environment "
                             f"{overrides['env']!r}; choose one of: {', '.join(module.ENVS)}")
    out = make_folder(args.out, "--out", create=False)  # made once the environment works
    if args.resume and (out / "agent.json").is_file():
        cfg = _resumed_config(module, out, overrides)
    elif hasattr(module, "config_for"):
        env = overrides.pop("env", module.Config().env)
        cfg = module.config_for(env, **overrides)
    else:
        cfg = module.Config().replace(**overrides)
    progress = not args.no_progress
    if args.algo == "cliff":
        result = module.train_both(cfg, out, progress=progress)
    else:
        result = module.train(cfg, out, resume=args.resume, progress=progress)
    print(json.dumps({k: v for k, v in result.items() if k != "config"}))
    return 0


def _settings(pairs: list[str]) -> dict:
    """--set KEY=VALUE pairs as a dict; each VALUE read as JSON (3e-4, true, [64, 64]) and
    taken as text when it is not."""
    settings = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise BraintankError(f"--set takes KEY=VALUE, got {pair!r}")
        try:
            settings[key.strip()] = json.loads(text)
        except json.JSONDecodeError:
            settings[key.strip()] = text
    return settings


def _resumed_config(module, out: Path, overrides: dict):
    """The settings the run in `out` was started with; only its length may change."""
    from braintank.rl.agentfile import read_agent

    cfg = read_agent(out, (module.ALGO,), module.ENVS, module.Config).config
    return cfg.replace(**{key: overrides[key] for key in ("steps", "max_minutes")
                          if key in overrides})


def run_eval(args: argparse.Namespace) -> int:
    from braintank.rl import load_agent
    from braintank.rl.common import evaluate

    if args.episodes < 1:
        raise BraintankError(f"--episodes must be at least 1, got {args.episodes}")
    _seeds(args.seed, args.episodes)
    agent = load_agent(args.agent)
    result = evaluate(agent, args.episodes, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.agent} on {result['env']}: mean return {result['mean_return']:.2f} "
              f"± {result['std_return']:.2f} over {result['episodes']} episodes "
              f"(seeds {args.seed}..{args.seed + args.episodes - 1}); 95% interval of the "
              f"mean {result['ci95_low']:.2f} to {result['ci95_high']:.2f}")
    return 0


def run_play(args: argparse.Namespace) -> int:
    from braintank.rl.play import record_gif

    _positive(args.max_frames, "--max-frames")
    _positive(args.fps, "--fps")
    _seeds(args.seed)
    result = record_gif(args.agent, Path(args.out), args.seed, args.max_frames, args.fps)
    print(f"wrote {args.out}: {result['frames']} frames, return {result['return']:.2f}")
    return 0
