"""Property tests of the model-file loader: whatever a .pt or .npz holds, `modelfile.load`
returns a network reading 28x28 digits into 10 classes or raises a one-line BraintankError;
never another exception, never a large allocation."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from braintank.errors import BraintankError
from braintank.modelfile import load
from braintank.nets import build_model
from braintank.scratch import mlp
from braintank.scratch.serialize import save_model

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
MAX_GROWTH_MB = 256
TINY = {"type": "mlp", "hidden": [4]}
STATUS = Path("/proc/self/status")


def peak_growth_mb(action) -> int:
    """Run `action`; how far the process's peak memory rose above its size before it
    (0 where /proc cannot tell: the check then rests on the exception type alone)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to now
        before = _status_mb("VmRSS")
    except OSError:
        action()
        return 0
    action()
    return _status_mb("VmHWM") - before


def _status_mb(field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+) kB", STATUS.read_text()).group(1)) // 1024


def load_or_refuse(path: Path) -> None:
    def attempt():
        try:
            loaded = load(path)
        except BraintankError as exc:
            assert "\n" not in str(exc), str(exc)
            return
        with torch.no_grad():
            out = loaded.network(torch.zeros(3, 1, 28, 28))
        assert out.shape == (3, 10)
        mean, std = loaded.normalize
        assert math.isfinite(mean) and math.isfinite(std) and std > 0

    assert peak_growth_mb(attempt) < MAX_GROWTH_MB


# ---- values a hostile file may hold where a field is expected --------------------------

sizes = st.one_of(st.integers(-3, 40), st.integers(10**5, 10**13), st.just(784), st.just(10))
scalars = st.one_of(st.none(), st.booleans(), sizes, st.floats(allow_nan=True),
                    st.text(max_size=12))
small_tensors = st.builds(
    lambda shape, dtype: torch.zeros(shape, dtype=dtype),
    st.lists(st.integers(0, 5), max_size=3).map(tuple),
    st.sampled_from([torch.float32, torch.float64, torch.int64, torch.bool]))
junk = st.recursive(scalars | small_tensors,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12)
archs = st.one_of(
    st.just(TINY),
    st.builds(lambda h, extra: {"type": "mlp", "hidden": h, **extra},
              st.lists(sizes, max_size=3), st.dictionaries(
                  st.sampled_from(["dropout", "in_features", "num_classes", "colour"]),
                  scalars, max_size=2)),
    st.builds(lambda args: {"type": "digit_cnn", **args}, st.dictionaries(
        st.sampled_from(["width", "hidden", "dropout", "num_classes"]), scalars, max_size=2)),
    st.builds(lambda args: {"type": "row_rnn", **args}, st.dictionaries(
        st.sampled_from(["cell", "hidden", "layers", "steps", "step_size"]), scalars,
        max_size=3)),
    st.builds(lambda members: {"type": "ensemble", "members": members},
              st.lists(st.just(TINY) | junk, max_size=3)),
    junk,
)


def tiny_weights() -> dict:
    torch.manual_seed(0)
    return build_model(TINY).state_dict()


@st.composite
def weights(draw) -> object:
    state = tiny_weights()
    choice = draw(st.integers(0, 4))
    name = draw(st.sampled_from(sorted(state)))
    if choice == 1:
        del state[name]
    elif choice == 2:
        state[name] = draw(small_tensors | junk)
    elif choice == 3:
        state[draw(st.text(max_size=8))] = draw(small_tensors)
    elif choice == 4:
        return draw(junk)
    return state


@st.composite
def payloads(draw) -> dict:
    payload = {"format": "braintank", "version": 1, "kind": "model", "arch": TINY,
               "config": {}, "normalize": [0.1307, 0.3081],
               "calibration": {"temperature": 1.2, "threshold": 0.9}, "model": tiny_weights()}
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(sorted(payload)))
        if field == "arch":
            payload["arch"] = draw(archs)
        elif field == "model":
            payload["model"] = draw(weights())
        elif draw(st.booleans()):
            del payload[field]
        else:
            payload[field] = draw(junk)
    return payload


@pytest.fixture(scope="module")
def scratch_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("model-files")


@SETTINGS
@given(payloads())
def test_any_pt_payload_loads_or_is_refused(scratch_dir, payload):
    path = scratch_dir / "probe.pt"
    torch.save(payload, path)
    load_or_refuse(path)


@SETTINGS
@given(st.data())
def test_any_damage_to_a_pt_file_loads_or_is_refused(scratch_dir, data):
    path = scratch_dir / "damaged.pt"
    torch.save({"format": "braintank", "version": 1, "kind": "model", "arch": TINY,
                "normalize": [0.1307, 0.3081], "model": tiny_weights()}, path)
    blob = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(blob[:data.draw(st.integers(0, len(blob)))]))
    load_or_refuse(path)


# ---- the NumPy engine's .npz ------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | sizes | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
layer_specs = st.one_of(
    st.builds(lambda i, o, dtype: {"type": "dense", "in_features": i, "out_features": o,
                                   "dtype": dtype},
              sizes, sizes, st.sampled_from(["float32", "float64", "float16", 3])),
    st.builds(lambda p: {"type": "dropout", "p": p}, scalars),
    st.sampled_from([{"type": "relu"}, {"type": "softmax"}, {"type": "threshold"},
                     {"type": "conv"}]),
    json_values)
junk_arrays = st.one_of(
    hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
               hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6)),
    st.text(max_size=20).map(np.array),
    json_values.map(lambda v: np.array(json.dumps(v))))


@st.composite
def npz_arrays(draw) -> dict:
    model = mlp([784, 10], seed=0)
    arrays = {"braintank_format": np.array("braintank-scratch-model"),
              "format_version": np.array(1),
              "architecture": np.array(json.dumps(model.spec())),
              "meta": np.array(json.dumps({"normalize": [0.1307, 0.3081]})),
              **{f"param.{i}": p for i, p in enumerate(model.params())}}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(arrays) + ["param.2", "extra"]))
        if name == "architecture" and draw(st.booleans()):
            specs = draw(st.lists(layer_specs, max_size=4))
            arrays[name] = np.array(json.dumps(specs))
        elif name == "meta" and draw(st.booleans()):
            meta = {"normalize": draw(json_values), "calibration": draw(json_values)}
            arrays[name] = np.array(json.dumps(meta))
        elif name in arrays and draw(st.booleans()):
            del arrays[name]
        else:
            arrays[name] = draw(junk_arrays)
    return arrays


@SETTINGS
@given(npz_arrays())
def test_any_npz_content_loads_or_is_refused(scratch_dir, arrays):
    path = scratch_dir / "probe.npz"
    np.savez(path, **arrays)
    load_or_refuse(path)


@SETTINGS
@given(st.data())
def test_any_damage_to_an_npz_file_loads_or_is_refused(scratch_dir, data):
    path = scratch_dir / "damaged.npz"
    save_model(mlp([784, 10], seed=0), path, meta={"normalize": [0.1307, 0.3081]})
    blob = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(blob[:data.draw(st.integers(0, len(blob)))]))
    load_or_refuse(path)
