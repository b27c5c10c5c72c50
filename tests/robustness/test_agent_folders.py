"""RL agent folders are read by one checked loader (braintank.rl.agentfile): whatever
agent.json, model.pt or table.npz holds (missing keys, values of the wrong type, another
environment's weights, negative or huge layer sizes, NaN tables), loading an agent gives a
working agent or one BraintankError, never a traceback or a huge allocation. Seeds outside
what NumPy and gymnasium take, and NaN or infinite limits, are refused in one line."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from braintank.errors import BraintankError
from braintank.rl import load_agent
from braintank.rl.registry import SHIPPED_DIR

from . import strategies
from .cli_errors import one_line_error

json_values = strategies.json_values(max_leaves=8, largest=2 ** 70)
# Layer sizes around every edge: zero, negative, just over the cap, 160 GB worth.
hidden_sizes = st.lists(st.sampled_from([-5, 0, 1, 7, 64, 4096, 4097, 10**6, 2**40]) |
                        st.integers(-10, 300), max_size=10)


def _folder(name: str, tmp: Path) -> Path:
    folder = tmp / name
    shutil.copytree(SHIPPED_DIR / name, folder)
    return folder


def _loads_or_refuses(folder: Path) -> None:
    try:
        agent = load_agent(folder)
    except BraintankError as exc:
        assert "\n" not in str(exc)
        return
    from braintank.rl.common import make_env

    env = make_env(agent.env_id)
    observation, _ = env.reset(seed=0)
    assert isinstance(agent.act(observation), int)
    env.close()


@st.composite
def damaged_meta(draw, meta: dict) -> dict:
    """`meta` with a few keys (top level or in config) dropped or given another value."""
    meta = json.loads(json.dumps(meta))
    for _ in range(draw(st.integers(1, 3))):
        where = meta["config"] if draw(st.booleans()) and isinstance(meta.get("config"),
                                                                     dict) else meta
        keys = sorted(where) or ["algo"]
        key = draw(st.sampled_from(keys + ["hidden", "config", "env"]))
        if draw(st.booleans()):
            where.pop(key, None)
        else:
            where[key] = draw(hidden_sizes if key == "hidden" else json_values)
    return meta


@pytest.mark.parametrize("name", ["dqn-cartpole", "a2c-lunarlander", "q-learning-cliff",
                                  "mc-blackjack"])
def test_any_agent_json_loads_or_is_refused_in_one_line(name):
    shipped = json.loads((SHIPPED_DIR / name / "agent.json").read_text())

    @settings(max_examples=60, deadline=None)
    @given(meta=damaged_meta(shipped))
    def check(meta):
        (folder / "agent.json").write_text(json.dumps(meta))
        _loads_or_refuses(folder)

    with tempfile.TemporaryDirectory() as tmp:
        folder = _folder(name, Path(tmp))
        check()


@settings(max_examples=60, deadline=None)
@given(hidden=hidden_sizes, algo=st.sampled_from(["dqn-cartpole", "reinforce-cartpole",
                                                  "a2c-lunarlander"]))
def test_layer_sizes_are_checked_before_anything_is_allocated(hidden, algo):
    with tempfile.TemporaryDirectory() as tmp:
        folder = _folder(algo, Path(tmp))
        meta = json.loads((folder / "agent.json").read_text())
        meta["config"]["hidden"] = hidden
        (folder / "agent.json").write_text(json.dumps(meta))
        _loads_or_refuses(folder)


weights = st.dictionaries(
    st.sampled_from(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "x"]),
    st.tuples(st.integers(0, 300), st.integers(0, 300)).map(lambda s: torch.zeros(s))
    | st.sampled_from([torch.zeros(3), torch.full((128, 4), float("nan")), 1, "w"]),
    max_size=7)


@settings(max_examples=60, deadline=None)
@given(payload=st.one_of(st.dictionaries(st.sampled_from(["q", "net", "policy"]), weights,
                                         max_size=2),
                         json_values))
def test_any_model_pt_loads_or_is_refused_in_one_line(payload):
    with tempfile.TemporaryDirectory() as tmp:
        folder = _folder("dqn-cartpole", Path(tmp))
        torch.save(payload, folder / "model.pt")
        _loads_or_refuses(folder)


def test_another_environments_weights_are_refused(tmp_path):
    folder = _folder("dqn-cartpole", tmp_path)
    shutil.copy(SHIPPED_DIR / "dqn-car" / "model.pt", folder / "model.pt")
    with pytest.raises(BraintankError, match="weights do not match this agent.s network"):
        load_agent(folder)
    (folder / "model.pt").unlink()
    (folder / "model.pt").symlink_to("/dev/zero")
    with pytest.raises(BraintankError, match="not a regular file"):
        load_agent(folder)


@settings(max_examples=40, deadline=None)
@given(shape=st.just([48, 4]) | st.lists(st.integers(0, 60), min_size=0, max_size=3),
       dtype=st.sampled_from(["float64", "int64", "bool", "complex64", "U3"]),
       nan=st.booleans())
def test_any_q_table_loads_or_is_refused_in_one_line(shape, dtype, nan):
    table = np.zeros(shape, dtype=dtype)
    if nan and table.size and table.dtype.kind == "f":
        table.flat[0] = np.nan
    with tempfile.TemporaryDirectory() as tmp:
        folder = _folder("q-learning-cliff", Path(tmp))
        np.savez(folder / "table.npz", q=table)
        _loads_or_refuses(folder)


@pytest.mark.parametrize("argv, message", [
    (["rl", "eval", "sarsa-cliff", "--seed", "-1"], "--seed must be from 0 to"),
    (["rl", "eval", "sarsa-cliff", "--seed", str(2**32 - 3), "--episodes", "5"],
     "episodes use seeds up to seed+4"),
    (["rl", "play", "sarsa-cliff", "--seed", "-1", "--out", "x.gif"], "--seed must be from 0"),
    (["rl", "train", "q-learning", "--seed", "-1", "--out", "{tmp}/a"], "--seed must be from"),
    (["rl", "train", "dqn", "--max-minutes", "nan", "--out", "{tmp}/a"],
     "--max-minutes must be positive and finite, got nan"),
    (["rl", "train", "dqn", "--max-minutes", "inf", "--out", "{tmp}/a"],
     "--max-minutes must be positive and finite, got inf"),
])
def test_seeds_and_limits_out_of_range_are_one_line(capsys, tmp_path, argv, message):
    line = one_line_error(capsys, [a.format(tmp=tmp_path) for a in argv])
    assert message in line
    assert not (tmp_path / "a").exists()
