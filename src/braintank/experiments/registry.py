"""The experiments by name, each a module with `TITLE` and `run(quick, progress)`.

All of them train with the NumPy engine (braintank.scratch), so none takes an engine."""

from __future__ import annotations

import importlib
import importlib.util
import time
from pathlib import Path

from braintank.errors import BraintankError
from braintank.experiments.result import ExperimentResult, write_result

# name -> module under braintank.experiments, in the order of the list
EXPERIMENTS: dict[str, str] = {
    "overfitting": "overfitting",
    "regularization": "regularization",
    "init": "init",
    "optimizers": "optimizers",
    "mse-vs-ce": "mse_vs_ce",
    "batch-size": "batch_size",
    "learning-rate": "learning_rate",
    "augmentation": "augmentation",
    "kfold": "kfold",
    "perceptron-order": "perceptron_order",
    "gradient-descent": "gradient_descent",
}


def available() -> list[str]:
    """Names whose module exists (the list grows as experiments are built)."""
    names = []
    for name, module in EXPERIMENTS.items():
        if importlib.util.find_spec(f"braintank.experiments.{module}") is not None:
            names.append(name)
    return names


def check_experiment(name: str):
    """The module of experiment `name`; a one-line error if it is unknown. Nothing is run."""
    if name not in available():
        raise BraintankError(f"unknown experiment {name!r} (known: {', '.join(available())})")
    return importlib.import_module(f"braintank.experiments.{EXPERIMENTS[name]}")


def run_experiment(name: str, quick: bool = False, progress: bool = False) -> ExperimentResult:
    """Run one experiment and return its result (nothing written)."""
    module = check_experiment(name)
    started = time.perf_counter()
    result = module.run(quick=quick, progress=progress)
    result.seconds = time.perf_counter() - started
    return result


def run_and_write(name: str, out: str | Path, quick: bool = False,
                  progress: bool = False) -> Path:
    return write_result(run_experiment(name, quick, progress), out)
