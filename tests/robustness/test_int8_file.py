"""The int8 copy beside a model is checked like a model file before it reads anything: a
regular file of bounded size, its own content hash intact, calibration fields typed and in
range, and a graph that maps x [N,1,28,28] to 10 logits. A file changed after braintank wrote
it, a 5-class graph, an input of another name, a threshold of -1 or "high", 99 views, a link
to /dev/zero: each is one BraintankError, never a wrong reading or a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper
from PIL import Image

from braintank.errors import BraintankError
from braintank.inference.classifier import DigitClassifier
from braintank.modelfile.quantize import (
    CALIBRATION_KEY,
    CONTENT_KEY,
    MAX_INT8_BYTES,
    Int8Model,
    int8_path,
    read_int8,
    write_int8,
)

from . import strategies


@pytest.fixture(scope="module")
def built(tmp_path_factory, tiny_model) -> tuple[Path, subprocess.CompletedProcess]:
    """A small model whose int8 copy `braintank predict --runtime onnx-int8` made."""
    folder = tmp_path_factory.mktemp("int8")
    model = folder / "model.pt"
    shutil.copy(tiny_model, model)
    paper = np.full((60, 60), 255, np.uint8)
    paper[10:50, 27:33] = 0
    Image.fromarray(paper).save(folder / "one.png")
    result = subprocess.run(
        [sys.executable, "-m", "braintank.cli.main", "predict", str(folder / "one.png"),
         "--model", str(model), "--runtime", "onnx-int8"],
        capture_output=True, text=True, timeout=600, env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    return model, result


def test_building_the_int8_copy_prints_no_library_warning(built):
    _model, result = built
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "making the int8 model" in lines[0], result.stderr


def _copy(built, tmp: Path) -> Path:
    model, _result = built
    shutil.copy(model, tmp / "model.pt")
    shutil.copy(int8_path(model), int8_path(tmp / "model.pt"))
    return tmp / "model.pt"


def _loads_checked_or_refuses(model: Path) -> DigitClassifier | None:
    try:
        clf = DigitClassifier.load(model, runtime="onnx-int8")
    except BraintankError as exc:
        assert "\n" not in str(exc)
        return None
    policy = clf.policy
    assert 0 <= policy.threshold <= 1 and policy.temperature > 0 and policy.views in (1, 2, 3)
    assert np.isfinite(clf.predict_batch28(np.zeros((2, 28, 28), np.float32))).all()
    return clf


calibration_values = st.one_of(strategies.json_values(max_leaves=4), st.floats(-2, 2),
                               st.integers(-3, 120))


@settings(max_examples=60, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(["temperature", "threshold", "views"]),
                               calibration_values | st.just("<drop>"), min_size=1))
@example(changes={"threshold": -1})
@example(changes={"threshold": "high"})
@example(changes={"views": 99})
def test_calibration_is_checked_even_when_the_file_is_signed_again(built, tmp_path_factory,
                                                                   changes):
    model = _copy(built, tmp_path_factory.mktemp("meta"))
    int8 = read_int8(int8_path(model))
    calibration = dict(int8.calibration)
    for key, value in changes.items():
        if value == "<drop>":
            calibration.pop(key, None)
        else:
            calibration[key] = value
    write_int8(int8_path(model), Int8Model(int8.blob, calibration, int8.source_sha256))
    clf = _loads_checked_or_refuses(model)
    if clf is not None:  # accepted: only values a real calibration could hold
        assert clf.policy.threshold == calibration["threshold"]


@settings(max_examples=30, deadline=None)
@given(value=st.text(max_size=40))
def test_metadata_changed_in_the_file_is_refused(built, tmp_path_factory, value):
    model = _copy(built, tmp_path_factory.mktemp("edit"))
    stored = onnx.load(str(int8_path(model)))
    entry = next(p for p in stored.metadata_props if p.key == CALIBRATION_KEY)
    if entry.value == value:
        return
    entry.value = value
    int8_path(model).write_bytes(stored.SerializeToString())
    with pytest.raises(BraintankError, match="changed after braintank wrote it"):
        DigitClassifier.load(model, runtime="onnx-int8")


def _graph(outputs: int = 10, input_name: str = "x", answer: int = 7) -> bytes:
    """A graph that ignores its input and always gives the logits of digit `answer`."""
    weights = helper.make_tensor("w", TensorProto.FLOAT, [784, outputs], [0.0] * 784 * outputs)
    bias = helper.make_tensor("b", TensorProto.FLOAT, [outputs],
                              [10.0 if i == answer else 0.0 for i in range(outputs)])
    nodes = [helper.make_node("Flatten", [input_name], ["flat"]),
             helper.make_node("MatMul", ["flat", "w"], ["mm"]),
             helper.make_node("Add", ["mm", "b"], ["logits"])]
    graph = helper.make_graph(
        nodes, "forged",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["batch", 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", outputs])],
        [weights, bias])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                             ir_version=8).SerializeToString()


def test_a_graph_swapped_in_under_the_old_metadata_is_refused(built, tmp_path):
    """The probe's forgery: a graph answering 7 for everything, with the real file's source
    hash, calibration and content hash copied over."""
    model = _copy(built, tmp_path)
    real = onnx.load(str(int8_path(model)))
    forged = onnx.load_from_string(_graph())
    forged.metadata_props.extend(real.metadata_props)
    int8_path(model).write_bytes(forged.SerializeToString())
    with pytest.raises(BraintankError, match="changed after braintank wrote it"):
        DigitClassifier.load(model, runtime="onnx-int8")


@pytest.mark.parametrize("blob, message", [
    (_graph(outputs=5), "outputs 5 classes"),
    (_graph(input_name="image"), "must take one input x"),
    (b"\x08\x07" + b"\x00" * 40, "damaged int8 model"),
])
def test_a_graph_breaking_the_contract_is_refused(built, tmp_path, blob, message):
    model = _copy(built, tmp_path)
    int8 = read_int8(int8_path(model))
    try:
        write_int8(int8_path(model), Int8Model(blob, int8.calibration, int8.source_sha256))
    except Exception:  # not even ONNX: written as it is
        int8_path(model).write_bytes(blob)
    with pytest.raises(BraintankError, match=message):
        DigitClassifier.load(model, runtime="onnx-int8")


def test_a_link_to_a_device_or_a_huge_file_is_refused_before_reading(built, tmp_path):
    model = _copy(built, tmp_path)
    target = int8_path(model)
    target.unlink()
    target.symlink_to("/dev/zero")
    with pytest.raises(BraintankError, match="not a regular file"):
        DigitClassifier.load(model, runtime="onnx-int8")
    target.unlink()
    with open(target, "wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_INT8_BYTES + 1)
    with pytest.raises(BraintankError, match="more than an int8 model"):
        DigitClassifier.load(model, runtime="onnx-int8")


def test_an_unsigned_file_beside_a_users_model_is_rebuilt_not_trusted(built, tmp_path):
    """Files made before int8 files carried a content hash: treated as stale (the CLI
    rebuilds them), since nothing shows they were not changed."""
    model = _copy(built, tmp_path)
    stored = onnx.load(str(int8_path(model)))
    kept = [p for p in stored.metadata_props if p.key != CONTENT_KEY]
    del stored.metadata_props[:]
    stored.metadata_props.extend(kept)
    int8_path(model).write_bytes(stored.SerializeToString())
    assert read_int8(int8_path(model)).hashed is False
    with pytest.raises(BraintankError, match="no int8 model made from model.pt"):
        DigitClassifier.load(model, runtime="onnx-int8")
    assert json.loads(next(p.value for p in kept if p.key == CALIBRATION_KEY))
