"""Seconds of training until 99.0% MNIST test accuracy: braintank's presets vs two baselines.

Baselines, re-implemented here and run in the same process on the same machine:
- "pytorch-examples": conv32-conv64-maxpool-dropout0.25-fc128-dropout0.5, Adadelta lr 1.0,
  StepLR gamma 0.7 per epoch, batch 64 (the PyTorch examples' MNIST recipe).
- "99%-in-a-second": conv24 5x5-pool-relu-conv32 3x3-pool-relu-fc256, Adam lr 0.01 betas
  (0.7, 0.9), one-cycle, batch 256, one epoch, data resident on the device.
- "braintank-fast", "braintank-cnn": the presets exactly as `braintank train --model NAME`
  sets them up (network, optimizer, schedule, augmentation, memory format).
Ablations of `fast` (one change each, to see what makes it fast): "fast-nchw" (NCHW memory),
"fast-uncropped" (28x28 input), "fast-unsmoothed" (no label smoothing), and
"99%-in-a-second-nhwc" (the baseline with only its memory format changed).
Every recipe trains on all 60,000 training images with its own schedule; test accuracy is
measured every `--eval-every` optimizer steps with the clock stopped, on the plain model. A
recipe that ends below 99% reports no time. `madds` is multiply-adds per image (forward).
Usage: python benchmarks/time_to_99.py [--seeds 5] [--device cpu] [--threads N] [--recipes ...]

`--milestones` instead trains a braintank preset (`--preset`, default cnn) with braintank's own
training step (`Trainer.train_step`: bf16 autocast on CUDA, channels-last, device-side
augmentation, `--compile` optional) on all 60,000 training images and reports the seconds to
99.0%, 99.5% and 99.7% test accuracy, the accuracy after `--budget-seconds` and at the end:
python benchmarks/time_to_99.py --milestones --device cuda --seeds 10 --eval-every 10
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from braintank.data import load_split
from braintank.data.augment import augment_batch
from braintank.data.loader import TensorLoader
from braintank.data.transforms import to_tensor
from braintank.nets import build_model
from braintank.training.accelerate import resolve_precision
from braintank.training.config import COMPILE_MODES, PRECISIONS
from braintank.training.data import RunData
from braintank.training.evaluate import compute_logits
from braintank.training.loop import Trainer
from braintank.training.optim import make_optimizer, make_scheduler
from braintank.training.presets import get_preset

TARGET = 0.99
MEAN, STD = 0.1307, 0.3081


class ExamplesNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(128, 10))

    def forward(self, x):
        return self.body(x)


class FastNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 24, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Conv2d(24, 32, 3),
            nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(800, 256), nn.ReLU(),
            nn.Linear(256, 10))

    def forward(self, x):
        return self.body(x)


@dataclass
class Recipe:
    """model, optimizer, per-step scheduler (or None), per-epoch scheduler, batch, epochs,
    and a function preparing each training batch."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    step_scheduler: object
    epoch_scheduler: object
    batch_size: int
    epochs: int
    prepare: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = lambda x, y: x
    label_smoothing: float = 0.0
    layout: torch.memory_format = torch.contiguous_format  # of the test images too


def multiply_adds(model: nn.Module) -> int:
    """Multiply-adds of one forward pass on a 28x28 digit (convolutions and linear layers)."""
    total = 0

    def count(module, _inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total += output.numel() * module.in_channels * kh * kw // module.groups
        elif isinstance(module, nn.Linear):
            total += module.in_features * module.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules()]
    was_training = model.training
    with torch.no_grad():
        model.eval()(torch.zeros(1, 1, 28, 28, device=next(model.parameters()).device))
    model.train(was_training)
    for hook in hooks:
        hook.remove()
    return total


def examples_recipe(steps_per_epoch: Callable[[int], int]) -> Recipe:
    model = ExamplesNet()
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    return Recipe(model, opt, None, torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.7), 64, 14)


def fast_recipe(steps_per_epoch: Callable[[int], int]) -> Recipe:
    model = FastNet()
    opt = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.7, 0.9))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01,
                                                total_steps=steps_per_epoch(256))
    return Recipe(model, opt, sched, None, 256, 1)


def fast_nhwc_recipe(steps_per_epoch: Callable[[int], int]) -> Recipe:
    recipe = fast_recipe(steps_per_epoch)
    recipe.model.to(memory_format=torch.channels_last)
    recipe.prepare = lambda x, y: x.contiguous(memory_format=torch.channels_last)
    recipe.layout = torch.channels_last
    return recipe


def preset_recipe(name: str, channels_last: bool = True, **overrides) -> Callable:
    """A recipe for braintank preset `name`, optionally with settings changed (ablations)."""

    def make(steps_per_epoch: Callable[[int], int]) -> Recipe:
        cfg = get_preset(name).config(**overrides)
        model = build_model(cfg.arch)
        layout = torch.channels_last if channels_last else torch.contiguous_format
        model = model.to(memory_format=layout)
        opt = make_optimizer(model.parameters(), cfg)
        sched = make_scheduler(opt, cfg, steps_per_epoch(cfg.batch_size))
        generator = torch.Generator().manual_seed(torch.initial_seed() + 2)

        def prepare(x, y):
            if cfg.augment != "none":
                x = augment_batch(x, cfg.augment, generator, -MEAN / STD, cfg.augment_prob,
                                  labels=y, ink=(1 - MEAN) / STD)
            return x.contiguous(memory_format=layout)

        return Recipe(model, opt, sched, None, cfg.batch_size, cfg.epochs, prepare,
                      cfg.label_smoothing, layout)

    return make


FAST_ARCH = get_preset("fast").settings["arch"]
RECIPES = {"99%-in-a-second": fast_recipe, "braintank-fast": preset_recipe("fast"),
           "braintank-cnn": preset_recipe("cnn"), "pytorch-examples": examples_recipe,
           "fast-nchw": preset_recipe("fast", channels_last=False),
           "fast-uncropped": preset_recipe("fast", arch={**FAST_ARCH, "crop_size": 28}),
           "fast-unsmoothed": preset_recipe("fast", label_smoothing=0.0),
           "99%-in-a-second-nhwc": fast_nhwc_recipe}
BASELINE, OURS = "99%-in-a-second", "braintank-fast"
STUDY = ["fast-nchw", "fast-uncropped", "fast-unsmoothed", "99%-in-a-second-nhwc"]


def time_to_target(name: str, seed: int, data, eval_every: int, device) -> dict:
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(seed)
    recipe = RECIPES[name](lambda b: math.ceil(len(y_train) / b))
    recipe.model.to(device)
    madds = multiply_adds(recipe.model)
    loader = TensorLoader(x_train, y_train, recipe.batch_size, shuffle=True,
                          generator=torch.Generator().manual_seed(seed))
    clock, step, accuracy = 0.0, 0, 0.0
    for _ in range(recipe.epochs):
        for x, y in loader:
            start = time.perf_counter()
            recipe.model.train()
            loss = F.cross_entropy(recipe.model(recipe.prepare(x, y)), y,
                                   label_smoothing=recipe.label_smoothing)
            recipe.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            recipe.optimizer.step()
            if recipe.step_scheduler:
                recipe.step_scheduler.step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            clock += time.perf_counter() - start
            step += 1
            if step % eval_every == 0 or step == len(loader) * recipe.epochs:
                logits = compute_logits(recipe.model,
                                        x_test.contiguous(memory_format=recipe.layout))
                accuracy = (logits.argmax(1) == y_test).float().mean().item()
                if accuracy >= TARGET:
                    return {"seconds": round(clock, 2), "steps": step, "accuracy": accuracy,
                            "madds": madds}
        if recipe.epoch_scheduler:
            recipe.epoch_scheduler.step()
    return {"seconds": None, "steps": step, "accuracy": accuracy, "madds": madds}


# ---- milestones with braintank's accelerated training step --------------------------------
MILESTONES = (0.99, 0.995, 0.997)


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def milestone_run(preset: str, seed: int, data, eval_every: int, device: torch.device,
                  overrides: dict, budget_seconds: float = 10.0,
                  max_steps: int | None = None) -> dict:
    """`preset` trained as `braintank train` trains it (on every training image given), the
    test accuracy read every `eval_every` steps with the clock stopped and the device
    synchronised: seconds and steps to each milestone, the accuracy after `budget_seconds` of
    training and at the end. `max_steps` cuts the run short (a warm-up)."""
    x_train, y_train, x_test, y_test = data
    cfg = get_preset(preset).config(seed=seed, val_size=0, **overrides)
    run_data = RunData(x_train, y_train, x_train[:0], y_train[:0], (MEAN, STD))
    with tempfile.TemporaryDirectory() as run_dir:  # never written: no fit(), no checkpoints
        trainer = Trainer(cfg, run_dir, device, progress=False, data=run_data)
    total = len(trainer.loader) * cfg.epochs if max_steps is None else max_steps
    reached, clock, step, accuracy, at_budget = {}, 0.0, 0, 0.0, None
    trainer.model.train()
    synchronize(device)
    start = time.perf_counter()
    for _ in range(cfg.epochs):
        for x, y in trainer.loader:
            trainer.train_step(x, y)
            step += 1
            if step % eval_every and step != total:
                continue
            synchronize(device)
            clock += time.perf_counter() - start
            logits = compute_logits(trainer.model, trainer.eval_input(x_test))
            accuracy = (logits.argmax(1) == y_test).float().mean().item()
            if clock <= budget_seconds:
                at_budget = accuracy
            for milestone in MILESTONES:
                if milestone not in reached and accuracy >= milestone:
                    reached[milestone] = {"seconds": round(clock, 4), "steps": step}
            if step == total:
                break
            start = time.perf_counter()
        if step == total:
            break
    return {"seed": seed, "train_seconds": round(clock, 4), "steps": step,
            "final_accuracy": accuracy, "accuracy_at_budget": at_budget,
            "reached": {f"{100 * m:.1f}": reached.get(m) for m in MILESTONES}}


def summarize_milestones(runs: list[dict]) -> dict:
    """Per milestone: seeds reaching it and their mean seconds; mean final accuracy."""
    summary = {}
    for key in runs[0]["reached"]:
        times = [r["reached"][key]["seconds"] for r in runs if r["reached"][key]]
        summary[key] = {"reached": f"{len(times)}/{len(runs)}",
                        "mean_seconds": round(statistics.mean(times), 4) if times else None}
    summary["mean_final_accuracy"] = round(statistics.mean(r["final_accuracy"] for r in runs), 5)
    budget = [r["accuracy_at_budget"] or 0.0 for r in runs]
    summary["mean_accuracy_at_budget"] = round(statistics.mean(budget), 5)
    summary["mean_train_seconds"] = round(statistics.mean(r["train_seconds"] for r in runs), 3)
    return summary


def milestone_report(preset: str, seeds: list[int], data, eval_every: int,
                     device: torch.device, overrides: dict, budget_seconds: float = 10.0,
                     warmup_steps: int = 60, deadline: float | None = None) -> dict:
    """A warm-up run (compilation, cuDNN autotuning, CUDA graph capture), then one timed run
    per seed; seeds not started by `deadline` (time.monotonic()) are left out."""
    started = time.perf_counter()
    milestone_run(preset, 10**6, data, eval_every, device, overrides, budget_seconds,
                  max_steps=warmup_steps)
    synchronize(device)
    warmup = time.perf_counter() - started
    runs = []
    for seed in seeds:
        if deadline is not None and time.monotonic() > deadline:
            break
        runs.append(milestone_run(preset, seed, data, eval_every, device, overrides,
                                  budget_seconds))
        print(preset, json.dumps(runs[-1]), flush=True)
    return {"device": str(device),
            "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
            "torch": torch.__version__, "preset": preset,
            "precision": resolve_precision(overrides.get("precision", "auto"), device),
            "compile": overrides.get("compile", "none"), "eval_every": eval_every,
            "budget_seconds": budget_seconds, "warmup_seconds": round(warmup, 2),
            "runs": runs, "summary": summarize_milestones(runs) if runs else None}


def add_milestone_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--milestones", action="store_true",
                        help="seconds to 99.0/99.5/99.7%% and final accuracy of --preset "
                             "with braintank's own training step (no baselines)")
    parser.add_argument("--preset", default="cnn", help="braintank preset (default cnn)")
    parser.add_argument("--precision", default="auto", choices=PRECISIONS,
                        help="auto (default: bf16 on CUDA, fp32 elsewhere), fp32 or bf16")
    parser.add_argument("--compile", default="none", choices=COMPILE_MODES,
                        help="none (default), model or graphs (CUDA graphs on CUDA)")
    parser.add_argument("--budget-seconds", type=float, default=10.0,
                        help="also report the test accuracy after this much training")
    parser.add_argument("--train-size", type=int, default=0,
                        help="train on the first N images only (0 = all; for smoke tests)")
    parser.add_argument("--epochs", type=int, help="override the preset's epochs")


def milestone_overrides(args: argparse.Namespace) -> dict:
    overrides = {"precision": args.precision, "compile": args.compile}
    return overrides | ({"epochs": args.epochs} if args.epochs else {})


def run_milestones(args: argparse.Namespace, data, device: torch.device) -> None:
    if args.train_size:
        data = (data[0][:args.train_size], data[1][:args.train_size], *data[2:])
    report = milestone_report(args.preset, list(range(args.seeds)), data, args.eval_every,
                              device, milestone_overrides(args), args.budget_seconds)
    print(json.dumps(report))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="runs per recipe (default 5)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--eval-every", type=int, default=10,
                        help="optimizer steps between test evaluations (default 10)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="CPU threads for torch (default: all cores)")
    parser.add_argument("--recipes", nargs="+", default=[BASELINE, OURS],
                        choices=list(RECIPES),
                        help=f"recipes to run (default: {BASELINE} {OURS})".replace("%", "%%"))
    parser.add_argument("--study", action="store_true",
                        help="add the ablations of `fast`: " + ", ".join(STUDY).replace("%", "%%"))
    add_milestone_arguments(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    images, labels = load_split("mnist", "train")
    test_images, test_labels = load_split("mnist", "test")
    data = (to_tensor(images, MEAN, STD, device), torch.tensor(labels).to(device),
            to_tensor(test_images, MEAN, STD, device), torch.tensor(test_labels).to(device))
    if args.milestones:
        return run_milestones(args, data, device)
    names = list(dict.fromkeys(args.recipes + (STUDY if args.study else [])))
    runs = {name: [] for name in names}
    # seed by seed, every recipe in turn: a load change on a shared machine hits all of them
    for seed in range(args.seeds):
        for name in names:
            runs[name].append(time_to_target(name, seed, data, args.eval_every, device))
            print(name, seed, json.dumps(runs[name][-1]), flush=True)
    results = {}
    for name in names:
        times = [r["seconds"] for r in runs[name] if r["seconds"] is not None]
        results[name] = {"runs": runs[name], "reached": f"{len(times)}/{len(runs[name])}",
                         "mean_seconds": round(statistics.mean(times), 2) if times else None,
                         "madds": runs[name][0]["madds"]}
        print(name, json.dumps({k: v for k, v in results[name].items() if k != "runs"}))
    base = results.get(BASELINE, {}).get("mean_seconds")
    for name in names:
        mean = results[name]["mean_seconds"]
        if base and mean and name != BASELINE:
            results[name]["ratio_to_baseline"] = round(mean / base, 3)
            print(f"{name} / {BASELINE} = {mean / base:.3f}"
                  + (" (goal <= 0.5, 5/5 seeds)" if name == OURS else ""))
    print(json.dumps({"device": str(device), "threads": torch.get_num_threads(),
                      "eval_every": args.eval_every, "results": results}))


if __name__ == "__main__":
    main()
