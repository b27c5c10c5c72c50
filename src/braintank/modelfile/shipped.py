"""The models shipped inside the package, and the file a model name stands for."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

# Models shipped inside the package, by name: "default" (`braintank train --model cnn`), and
# "student", distilled from it with a ninth of its multiply-adds (`--model cnn-student`).
SHIPPED_MODELS = ("default", "student")


def default_model_path(name: str = "default") -> Path:
    """The shipped model `name` (one of SHIPPED_MODELS)."""
    return Path(str(resources.files("braintank") / "models" / f"{name}.pt"))


def model_path(model: str | os.PathLike | None) -> Path:
    """The file `model` names: a path; None is the default model, and a shipped model's name
    is that model, unless a file of that name is in the working folder."""
    if model is None:
        return default_model_path()
    if str(model) in SHIPPED_MODELS and not Path(model).exists():
        return default_model_path(str(model))
    return Path(model)
