"""An environment's episode in progress, saved into a checkpoint and put back on resume.

A learner that checkpoints in the middle of an episode (DQN, every `eval_every` steps) resumes
exactly only if the episode goes on from the same physical state. CartPole's state (four
numbers and a counter past the end) and the car's (its map, position and heading) are plain
data; so is the time limit's step count. LunarLander's Box2D world is not: a run resumed
there starts a new episode, and is no longer the same run from that moment on.
"""

from __future__ import annotations

import json

import numpy as np

from braintank.rl.common import CAR_VIEWS

# the attributes of env.unwrapped that make up an episode in progress
EPISODE_FIELDS = {"CartPole-v1": {"state": np.float64, "steps_beyond_terminated": None},
                  **{car: {"grid": np.int8, "position": np.float64, "heading": None}
                     for car in CAR_VIEWS}}


def _time_limit(env):
    while env is not None and not hasattr(env, "_elapsed_steps"):
        env = getattr(env, "env", None)
    return env


def save_episode(env) -> str | None:
    """The episode in progress as JSON, or None where it cannot be put back."""
    fields = EPISODE_FIELDS.get(env.spec.id if env.spec else None)
    if fields is None:
        return None
    unwrapped = env.unwrapped
    values = {name: (np.asarray(getattr(unwrapped, name)).tolist() if dtype else
                     getattr(unwrapped, name)) for name, dtype in fields.items()}
    limit = _time_limit(env)
    values["_elapsed_steps"] = None if limit is None else limit._elapsed_steps
    return json.dumps(values)


def restore_episode(env, saved: str | None) -> bool:
    """Put back what `save_episode` returned, into an env that has been reset; False (and
    nothing changed) when there is nothing to put back."""
    fields = EPISODE_FIELDS.get(env.spec.id if env.spec else None)
    if saved is None or fields is None:
        return False
    values = json.loads(saved)
    unwrapped = env.unwrapped
    for name, dtype in fields.items():
        value = values[name]
        setattr(unwrapped, name, np.asarray(value, dtype=dtype) if dtype else value)
    limit = _time_limit(env)
    if limit is not None:
        limit._elapsed_steps = values["_elapsed_steps"]
    return True
