"""The learning-rate schedules' names: one vocabulary for the torch and the NumPy engine.

`TrainConfig.schedule` and `ScratchConfig.lr_schedule` take these names, with these
meanings; each engine applies them in its own code (`training/optim.py`, per optimizer step;
`scratch/trainer.py`, per epoch). The NumPy engine's older names are still read from saved
configs, so old run folders resume.
"""

from __future__ import annotations

# name -> (meaning, engines that run it)
SCHEDULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "none": ("a constant rate", ("torch", "numpy")),
    "step": ("the rate multiplied by a factor every few epochs (torch: gamma every "
             "step_size epochs; numpy: lr_decay every epoch)", ("torch", "numpy")),
    "cosine": ("half a cosine from the rate down towards 0 over the run", ("torch", "numpy")),
    "onecycle": ("a warm-up to the rate, then annealing to almost 0 (one cycle)", ("torch",)),
}
SCHEDULE_NAMES = tuple(SCHEDULES)
# The NumPy engine's names before the two engines shared one vocabulary.
OLD_SCHEDULE_NAMES = {"constant": "none", "exponential": "step"}


def schedules_of(engine: str) -> tuple[str, ...]:
    """The schedule names `engine` ("torch" or "numpy") runs."""
    return tuple(name for name, (_, engines) in SCHEDULES.items() if engine in engines)


def schedule_help() -> str:
    """The vocabulary in one line, for command-line help."""
    parts = []
    for name, (_, engines) in SCHEDULES.items():
        only = f" ({engines[0]} engine only)" if len(engines) == 1 else ""
        parts.append(name + only)
    return ", ".join(parts)
