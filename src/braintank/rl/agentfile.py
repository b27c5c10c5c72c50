"""Agent folders, checked before anything is built: the one loader every algorithm uses.

Modelled on `braintank.modelfile` for digit models (but sharing no code with the digit side,
as rl never does): `agent.json` is read with its fields checked
(algorithm, environment, every setting against the algorithm's Config, a
`braintank.config.ConfigBase`), a network is built
on the meta device first, so its size is capped and its weights are matched name by name,
shape by shape, before a real tensor exists; `model.pt` is read with `weights_only` and
`table.npz` without pickles, each from a file whose unpacked size is checked first. Every
refusal is one BraintankError naming the file.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from braintank.config import setting
from braintank.errors import BraintankError, short_repr
from braintank.fileio import check_array_headers
from braintank.rl.common import AGENT_FILE, MODEL_FILE, load_torch, make_env

MAX_META_BYTES = 1 << 20        # agent.json: settings and results, a few kB
MAX_LAYERS = 8
MAX_UNITS = 4096                # per hidden layer: 8x the largest any course agent uses
MAX_PARAMETERS = 10_000_000     # 40 MB of float32 per network
MAX_TABLE_BYTES = 64 * 2**20    # table.npz, unpacked
SEED_LIMIT = 2**32 - 1          # NumPy's global seed and gymnasium's seeds stop here
MAX_THREADS = 1024              # torch would try to start any number asked for, and crash


@dataclass(frozen=True)
class AgentFolder:
    path: Path
    meta: dict     # agent.json as stored
    algo: str
    env_id: str
    config: Any    # the algorithm's Config, its fields checked


def read_agent(agent_dir: str | os.PathLike, algos: tuple[str, ...], envs: tuple[str, ...],
               config_cls: type) -> AgentFolder:
    """The checked agent.json of `agent_dir`, for one of `algos` on one of `envs`."""
    agent_dir = Path(agent_dir)
    meta = read_meta(agent_dir)
    source = str(agent_dir / AGENT_FILE)
    if meta["algo"] not in algos:
        raise BraintankError(f"{agent_dir} holds an agent of algorithm {meta['algo']}, not "
                             f"{' or '.join(algos)}")
    if meta["env"] not in envs:
        raise BraintankError(f"{source}: algorithm {meta['algo']} does not run on environment "
                             f"{short_repr(meta['env'])}; it runs on {', '.join(envs)}")
    config = config_cls.from_dict(meta.get("config", {}), source)
    if getattr(config, "env", meta["env"]) != meta["env"]:
        raise BraintankError(f"{source}: env {meta['env']!r} and config env "
                             f"{config.env!r} differ")
    return AgentFolder(agent_dir, meta, meta["algo"], meta["env"], config)


def read_meta(agent_dir: str | os.PathLike) -> dict:
    """agent.json as a dict whose 'algo' and 'env' are strings (nothing else checked)."""
    path = Path(agent_dir) / AGENT_FILE
    if not path.is_file():
        raise BraintankError(f"{agent_dir} is not an agent folder (no {AGENT_FILE} in it)")
    data = _read_bounded(path, MAX_META_BYTES)
    try:
        meta = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise BraintankError(f"{path} is not readable agent metadata ({reason})") from None
    if not isinstance(meta, dict) or not all(isinstance(meta.get(key), str)
                                             for key in ("algo", "env")):
        raise BraintankError(f"{path} lacks the 'algo' and 'env' fields of an agent (two "
                             f"strings)")
    return meta


def hidden_sizes(*sizes: int) -> list[int]:
    """A Config's `hidden` field: 1 to MAX_LAYERS layer sizes of 1 to MAX_UNITS, `sizes` by
    default."""
    return setting(factory=lambda: list(sizes), length=(1, MAX_LAYERS), at_least=1,
                   at_most=MAX_UNITS)


def schedule_setting() -> str:
    """A Config's schedule field (`lr_schedule`, A2C's `target_kl_schedule` and
    `entropy_schedule`): "constant", or "linear" (the value falls to 0 at the last step, so
    the final policy settles; `decayed`)."""
    return setting("constant", choices=("constant", "linear"))


def decayed(value: float, schedule: str, frac: float) -> float:
    """`value` under `schedule` when a share `frac` of training is left."""
    return value * frac if schedule == "linear" else value


def scheduled_lr(cfg, step: int) -> float:
    """The step size at environment step `step` under `cfg.lr_schedule`."""
    return decayed(cfg.lr, cfg.lr_schedule, max(0.0, 1.0 - step / cfg.steps))


def seed_setting(default: int) -> int:
    """A Config's seed field: NumPy and gymnasium take 0 to SEED_LIMIT."""
    return setting(default, at_most=SEED_LIMIT)


def env_sizes(env_id: str) -> tuple[int, int]:
    """(observation size, number of actions) of a vector-observation, discrete-action env."""
    env = make_env(env_id)
    try:
        shape, actions = env.observation_space.shape, getattr(env.action_space, "n", None)
    finally:
        env.close()
    if shape is None or len(shape) != 1 or actions is None:
        raise BraintankError(f"environment {env_id} has no flat observation vector and "
                             f"discrete actions, which a network agent needs")
    return int(shape[0]), int(actions)


def load_network(folder: AgentFolder, build: Callable[[int, int, list[int]], nn.Module],
                 key: str) -> nn.Module:
    """The network `build(inputs, actions, hidden)` holding the weights stored under `key`
    in the folder's model.pt, all checked on the meta device first. `inputs` is the
    observation size times the config's `frames` (stacked observations), if it has one."""
    import torch

    source = str(folder.path / MODEL_FILE)
    obs_size, actions = env_sizes(folder.env_id)
    inputs = obs_size * getattr(folder.config, "frames", 1)
    with torch.device("meta"):
        skeleton = build(inputs, actions, folder.config.hidden)
    count = sum(p.numel() for p in skeleton.parameters())
    if count > MAX_PARAMETERS:
        raise BraintankError(f"{folder.path / AGENT_FILE}: a network of {count:,} parameters, "
                             f"more than the {MAX_PARAMETERS:,} an agent may have")
    payload = load_torch(folder.path / MODEL_FILE)
    weights = payload.get(key) if isinstance(payload, dict) else None
    _check_weights(skeleton.state_dict(), weights, source, key)
    skeleton.load_state_dict(weights, strict=True, assign=True)
    return skeleton.eval()


def _check_weights(expected: dict, weights: object, source: str, key: str) -> None:
    """`weights` has exactly the expected names, shapes and dtypes, and finite values."""
    import torch

    if not isinstance(weights, dict) or set(weights) != set(expected):
        have = sorted(map(str, weights))[:4] if isinstance(weights, dict) else weights
        raise BraintankError(f"{source}: weights do not match this agent's network ({key!r} "
                             f"holds {short_repr(have)}, it needs "
                             f"{', '.join(list(expected)[:4])}; another environment's agent?)")
    for name, want in expected.items():
        have = weights[name]
        if not isinstance(have, torch.Tensor) or have.layout != torch.strided \
                or have.dtype != want.dtype or have.shape != want.shape:
            got = (f"{tuple(have.shape)} {have.dtype}" if isinstance(have, torch.Tensor)
                   else type(have).__name__)
            raise BraintankError(f"{source}: weights do not match this agent's network "
                                 f"({name} is {got}, needs {tuple(want.shape)} {want.dtype}; "
                                 f"another environment's agent?)")
        if have.is_floating_point() and not bool(torch.isfinite(have).all()):
            raise BraintankError(f"{source}: weight {name} contains NaN or infinity")


def load_table(folder: AgentFolder, file: str, shape: tuple[int, ...]) -> np.ndarray:
    """The finite float table `q` of `shape` stored in the folder's `file` (.npz)."""
    path = folder.path / file
    _check_regular(path)
    try:
        check_array_headers(path, MAX_TABLE_BYTES)
        with np.load(path, allow_pickle=False) as data:
            q = data["q"]
    except BraintankError:
        raise
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise BraintankError(f"{path} is not a readable Q table ({reason})") from None
    if q.shape != shape or q.dtype.kind != "f" or not np.isfinite(q).all():
        raise BraintankError(f"{path} holds a table of shape {q.shape} ({q.dtype}), not "
                             f"the finite {shape} table of {folder.env_id}")
    return q


def _check_regular(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        raise BraintankError(f"{path} is missing: the agent folder is incomplete") from None
    if not stat.S_ISREG(mode):
        raise BraintankError(f"{path}: not a regular file")


def _read_bounded(path: Path, limit: int) -> bytes:
    _check_regular(path)
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise BraintankError(f"{path}: larger than the {limit:,} bytes it may have")
    return data
