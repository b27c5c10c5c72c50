"""A recipe, not a run: train one RL recipe from several seeds and report every seed.

For each training seed the recipe is trained into OUT/seedN (with `braintank rl train`; a
folder already trained that far is reused, a killed one resumed), then two policies of it
play the same unseen episodes (seeds 1000, 1001, ...; training used its own seeds and
checkpoint selection 100000+):

- final: the policy at the end of training (the checkpoint's weights);
- kept: the policy the run kept, the one that did best on the validation seeds (model.pt).

Each gets its mean return with a 95% confidence interval over the episodes; across seeds,
mean ± std and the interval of the seed means. The learning curves (training return, mean of
the last 100 episodes) are drawn as the mean over seeds with a band from the lowest to the
highest seed, into one PNG, as CleanRL and the RL Zoo report them.

    python benchmarks/rl_seeds.py reinforce --env CartPole-v1 --seeds 0 1 2 \\
        --out runs/seeds/reinforce-cartpole [--steps N] [--episodes 100] [--png FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from braintank.rl import load_agent
from braintank.rl.car_drivers import outcomes
from braintank.rl.common import (
    CAR_VIEWS,
    CHECKPOINT_FILE,
    GOALS,
    MODEL_FILE,
    evaluate,
    load_torch,
    read_returns,
    save_torch,
)
from braintank.rl.interval import mean_interval

CURVE_POINTS = 200
ENDS = ("refuelled", "crashed", "out_of_time")  # how car episodes end


def train(algo: str, env: str, seed: int, folder: Path, steps: int | None) -> dict:
    """Train (or resume, or reuse) one seed's run; its agent.json."""
    meta_file = folder / "agent.json"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text())
        if meta.get("steps_done", 0) >= (steps or meta["config"]["steps"]):
            return meta
    command = [sys.executable, "-m", "braintank.cli.main", "rl", "train", algo, "--env", env,
               "--seed", str(seed), "--out", str(folder), "--no-progress"]
    if steps is not None:
        command += ["--steps", str(steps)]
    if (folder / CHECKPOINT_FILE).is_file():
        command.append("--resume")
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "train.log", "a", encoding="utf-8") as log:  # the report owns stdout
        subprocess.run(command, check=True, stdout=log)
    return json.loads(meta_file.read_text())


def final_policy(folder: Path, scratch: Path):
    """The agent at the end of training: the checkpoint's network in a copy of the folder."""
    kept = load_torch(folder / MODEL_FILE)
    checkpoint = load_torch(folder / CHECKPOINT_FILE, checkpoint=True)
    copy = scratch / folder.name
    copy.mkdir()
    shutil.copy(folder / "agent.json", copy / "agent.json")
    save_torch(copy / MODEL_FILE, {key: checkpoint[key] for key in kept})
    return load_agent(copy)


def play(agent, episodes: int, seed: int) -> dict:
    """Mean return with its interval; on the car also how the episodes ended."""
    result = evaluate(agent, episodes, seed)
    played = {k: result[k] for k in ("mean_return", "std_return", "ci95_low", "ci95_high")}
    if agent.env_id in CAR_VIEWS:
        ends = outcomes(agent, episodes, seed)
        played.update({k: ends[k] for k in ENDS})
    return played


def curve(folder: Path, grid: np.ndarray) -> np.ndarray:
    """Mean training return of the last 100 episodes, at each step of `grid`."""
    rows = read_returns(folder / "returns.jsonl")
    steps = np.array([r["step"] for r in rows])
    returns = np.array([r["return"] for r in rows])
    running = np.array([returns[max(0, i - 99):i + 1].mean() for i in range(len(returns))])
    return np.interp(grid, steps, running)


def plot(folders: list[Path], title: str, goal: float | None, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    logs = [read_returns(f / "returns.jsonl") for f in folders]
    grid = np.linspace(max(rows[0]["step"] for rows in logs),
                       min(rows[-1]["step"] for rows in logs), CURVE_POINTS)
    curves = np.array([curve(f, grid) for f in folders])
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.fill_between(grid, curves.min(0), curves.max(0), alpha=0.25,
                    label=f"lowest to highest of {len(folders)} seeds")
    ax.plot(grid, curves.mean(0), label="mean over seeds")
    if goal is not None:
        ax.axhline(goal, color="grey", linestyle=":", label=f"goal {goal:g}")
    ax.set(xlabel="environment steps", ylabel="training return (last 100 episodes)",
           title=title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=100)
    plt.close(fig)


def across(values: list[float]) -> dict:
    mean, low, high = mean_interval(values)
    return {"mean": mean, "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
            "ci95_low": low, "ci95_high": high}


def car_ends(final: dict, kept: dict) -> str:
    if "crashed" not in final:
        return ""
    return "".join(f"; {name} refuels {p['refuelled']:.0%}, crashes {p['crashed']:.0%}"
                   for name, p in (("final", final), ("kept", kept)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("algo", help="dqn, reinforce or a2c")
    parser.add_argument("--env", required=True, help="CartPole-v1, BraintankCar-v0, ...")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, help="environment steps (default: the recipe's)")
    parser.add_argument("--out", required=True, help="folder for the seeds' runs")
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--eval-seed", type=int, default=1000)
    parser.add_argument("--png", help="learning curves (default OUT/curves.png)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for seed in args.seeds:
            folder = out / f"seed{seed}"
            meta = train(args.algo, args.env, seed, folder, args.steps)
            rows.append({"seed": seed, "steps": meta["steps_done"],
                         "minutes": meta.get("minutes"), "kept_step": meta.get("best_step"),
                         "final": play(final_policy(folder, Path(scratch)), args.episodes,
                                       args.eval_seed),
                         "kept": play(load_agent(folder), args.episodes, args.eval_seed)})
    goal = GOALS.get(args.env)
    summary = {"algo": args.algo, "env": args.env, "episodes": args.episodes,
               "eval_seeds": f"{args.eval_seed}..{args.eval_seed + args.episodes - 1}",
               "goal": goal, "seeds": rows,
               "final": across([r["final"]["mean_return"] for r in rows]),
               "kept": across([r["kept"]["mean_return"] for r in rows])}
    if args.env in CAR_VIEWS:
        for which in ("final", "kept"):
            for end in ENDS:
                summary[which][end] = across([r[which][end] for r in rows])
    if goal is not None:
        for which in ("final", "kept"):
            summary[which]["seeds_at_goal"] = sum(r[which]["mean_return"] >= goal for r in rows)
    png = Path(args.png) if args.png else out / "curves.png"
    plot([out / f"seed{s}" for s in args.seeds], f"{args.algo} on {args.env}", goal, png)
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for r in rows:
        f, k = r["final"], r["kept"]
        print(f"seed {r['seed']}: {r['steps']} steps, {r['minutes']} min; final "
              f"{f['mean_return']:.1f} [{f['ci95_low']:.1f}, {f['ci95_high']:.1f}]; kept "
              f"(step {r['kept_step']}) {k['mean_return']:.1f} "
              f"[{k['ci95_low']:.1f}, {k['ci95_high']:.1f}]" + car_ends(f, k))
    for which in ("final", "kept"):
        s = summary[which]
        at_goal = f"; {s['seeds_at_goal']}/{len(rows)} seeds >= {goal:g}" if goal else ""
        ends = "".join(f"; {end} {s[end]['mean']:.0%} ± {s[end]['std']:.0%}"
                       for end in ENDS if end in s)
        print(f"{which}: {s['mean']:.1f} ± {s['std']:.1f} over {len(rows)} seeds "
              f"(95% interval {s['ci95_low']:.1f} to {s['ci95_high']:.1f}){at_goal}{ends}")
    print(f"curves: {png}")


if __name__ == "__main__":
    main()
