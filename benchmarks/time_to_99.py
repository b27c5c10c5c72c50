"""Seconds of training until 99.0% MNIST test accuracy: braintank's `cnn` vs two baselines.

Baselines, re-implemented here and run in the same process on the same machine:
- "pytorch-examples": conv32-conv64-maxpool-dropout0.25-fc128-dropout0.5, Adadelta lr 1.0,
  StepLR gamma 0.7 per epoch, batch 64 (the PyTorch examples' MNIST recipe).
- "99%-in-a-second": conv24 5x5-pool-relu-conv32 3x3-pool-relu-fc256, Adam lr 0.01 betas
  (0.7, 0.9), one-cycle, batch 256, one epoch, data resident on the device.
- "braintank-cnn": the `cnn` preset exactly as `braintank train --model cnn` runs it.
Each recipe trains with its own schedule; test accuracy is measured every `--eval-every`
optimizer steps with the clock stopped. A recipe that ends below 99% reports no time.
Usage: python benchmarks/time_to_99.py [--seeds 5] [--device cpu] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
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
from braintank.training.evaluate import compute_logits
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


def braintank_recipe(steps_per_epoch: Callable[[int], int]) -> Recipe:
    cfg = get_preset("cnn").config()
    model = build_model(cfg.arch).to(memory_format=torch.channels_last)
    opt = make_optimizer(model.parameters(), cfg)
    sched = make_scheduler(opt, cfg, steps_per_epoch(cfg.batch_size))
    generator = torch.Generator().manual_seed(torch.initial_seed() + 2)

    def prepare(x, y):
        x = augment_batch(x, cfg.augment, generator, -MEAN / STD, cfg.augment_prob, labels=y,
                          ink=(1 - MEAN) / STD)
        return x.contiguous(memory_format=torch.channels_last)

    return Recipe(model, opt, sched, None, cfg.batch_size, cfg.epochs, prepare,
                  cfg.label_smoothing)


RECIPES = {"braintank-cnn": braintank_recipe, "pytorch-examples": examples_recipe,
           "99%-in-a-second": fast_recipe}


def time_to_target(name: str, seed: int, data, eval_every: int, device) -> dict:
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(seed)
    recipe = RECIPES[name](lambda b: math.ceil(len(y_train) / b))
    recipe.model.to(device)
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
                logits = compute_logits(recipe.model, x_test)
                accuracy = (logits.argmax(1) == y_test).float().mean().item()
                if accuracy >= TARGET:
                    return {"seconds": round(clock, 2), "steps": step, "accuracy": accuracy}
        if recipe.epoch_scheduler:
            recipe.epoch_scheduler.step()
    return {"seconds": None, "steps": step, "accuracy": accuracy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="runs per recipe (default 5)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--eval-every", type=int, default=50,
                        help="optimizer steps between test evaluations (default 50)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="CPU threads for torch (default: all cores)")
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=list(RECIPES),
                        help="recipes to run (default all)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    images, labels = load_split("mnist", "train")
    test_images, test_labels = load_split("mnist", "test")
    data = (to_tensor(images, MEAN, STD, device), torch.tensor(labels).to(device),
            to_tensor(test_images, MEAN, STD, device), torch.tensor(test_labels).to(device))
    results = {}
    for name in args.recipes:
        runs = [time_to_target(name, seed, data, args.eval_every, device)
                for seed in range(args.seeds)]
        times = [r["seconds"] for r in runs if r["seconds"] is not None]
        results[name] = {"runs": runs, "reached": f"{len(times)}/{len(runs)}",
                         "mean_seconds": round(statistics.mean(times), 2) if times else None}
        print(name, json.dumps(results[name]), flush=True)
    ours = results.get("braintank-cnn", {}).get("mean_seconds")
    baselines = [results[n]["mean_seconds"] for n in results
                 if n != "braintank-cnn" and results[n]["mean_seconds"]]
    if ours and baselines:
        fastest = min(baselines)
        print(f"braintank-cnn / fastest baseline = {ours / fastest:.2f} "
              f"(goal <= 0.5) on {device}, {torch.get_num_threads()} threads")
    print(json.dumps({"device": str(device), "threads": torch.get_num_threads(),
                      "results": results}))


if __name__ == "__main__":
    main()
