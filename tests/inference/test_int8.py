"""`--runtime onnx-int8`: the int8 copy of a model, its refitted calibration, its file beside
the model (checked against the model's SHA-256), and the errors around it."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image
from robustness.cli_errors import one_line_error

from braintank import modelfile
from braintank.cli.main import main
from braintank.cli.runtime import load_classifier
from braintank.data import load_split
from braintank.errors import BraintankError
from braintank.inference.classifier import DigitClassifier, default_model_path
from braintank.modelfile.quantize import current_int8, file_sha256, int8_path, read_int8
from braintank.training.int8 import build_int8

STATUSES = {"ok", "review", "empty"}


@pytest.fixture(scope="module")
def test_digits(mnist_dir):
    images, labels = load_split("mnist", "test")
    picks = np.random.default_rng(14).choice(len(labels), 1500, replace=False)
    return images[picks] / 255.0, labels[picks]


@pytest.fixture()
def own_model(tmp_path, tiny_model):
    """A copy of a small trained model in a folder of its own (its int8 file goes beside)."""
    path = tmp_path / "model.pt"
    shutil.copy(tiny_model, path)
    return path


def test_the_shipped_int8_model_was_made_from_the_shipped_model():
    int8 = current_int8(default_model_path())
    assert int8 is not None, f"rebuild {int8_path(default_model_path())}: build_int8"
    assert int8.source_sha256 == file_sha256(default_model_path())


def test_int8_agrees_with_the_float_model_on_test_digits(test_digits):
    x, labels = test_digits
    float_clf, int8_clf = DigitClassifier.load(), DigitClassifier.load(runtime="onnx-int8")
    float_digits = float_clf.logits_batch28(x).argmax(1)
    int8_digits = int8_clf.logits_batch28(x).argmax(1)
    assert (float_digits == int8_digits).mean() >= 0.99
    float_acc, int8_acc = (float_digits == labels).mean(), (int8_digits == labels).mean()
    assert int8_acc >= float_acc - 0.003, (float_acc, int8_acc)


def test_int8_classifier_reads_with_its_refitted_calibration(test_digits):
    x, labels = test_digits
    clf = DigitClassifier.load(runtime="onnx-int8")
    refitted = read_int8(int8_path(default_model_path())).calibration
    shipped = modelfile.load(default_model_path()).calibration
    assert (clf.policy.temperature, clf.policy.threshold, clf.policy.views) == \
        (refitted["temperature"], refitted["threshold"], refitted["views"])
    assert refitted["temperature"] != shipped["temperature"]  # refitted, not copied
    assert refitted["sets"]["validation"]["target_met"]
    results = clf.predict([((1 - img) * 255).astype(np.uint8) for img in x[:40]]
                          + [np.full((30, 30), 255, np.uint8)])
    assert {r.status for r in results} <= STATUSES and results[-1].status == "empty"
    for r in results[:40]:
        assert r.status == ("ok" if r.confidence >= clf.policy.threshold else "review")
        assert abs(sum(r.probabilities) - 1) < 1e-4 and 0 <= r.confidence <= 1
    assert np.mean([r.digit for r in results[:40]] == labels[:40]) >= 0.95


def test_predict_cli_reads_with_onnx_int8(tmp_path, test_digits, capsys):
    x, labels = test_digits
    path = tmp_path / "digit.png"
    Image.fromarray(((1 - x[0]) * 255).astype(np.uint8)).save(path)
    assert main(["predict", str(path), "--runtime", "onnx-int8"]) == 0
    name, digit, confidence, status, reason = capsys.readouterr().out.strip().split("\t")
    assert int(digit) == labels[0] and status in STATUSES and 0 < float(confidence) <= 1


def test_building_refits_the_calibration_and_records_the_model(own_model, mnist_dir):
    path = build_int8(own_model, calibration_digits=200)
    int8 = read_int8(path)
    assert path == int8_path(own_model) and int8.source_sha256 == file_sha256(own_model)
    assert {"temperature", "threshold", "views", "sets"} <= set(int8.calibration)
    clf = DigitClassifier.load(own_model, runtime="onnx-int8")
    assert clf.policy.temperature == int8.calibration["temperature"]


def test_int8_model_is_rebuilt_when_the_model_file_changes(own_model, mnist_dir, capsys):
    load_classifier(str(own_model), "onnx-int8")
    first = read_int8(int8_path(own_model)).source_sha256
    saved = modelfile.load(own_model)
    modelfile.save(own_model, {**{k: v for k, v in saved.payload.items()
                                  if k not in ("format", "version")}, "epoch": 99})
    with pytest.raises(BraintankError, match="no int8 model made from model.pt"):
        DigitClassifier.load(own_model, runtime="onnx-int8")  # the old one is not used
    load_classifier(str(own_model), "onnx-int8")
    assert "making the int8 model" in capsys.readouterr().err
    rebuilt = read_int8(int8_path(own_model)).source_sha256
    assert rebuilt != first and rebuilt == file_sha256(own_model)


@pytest.mark.parametrize("damage", [b"", b"not a protobuf \xff\xfe", "truncated"])
def test_a_damaged_int8_file_is_a_one_line_error(own_model, mnist_dir, tmp_path, capsys,
                                                 damage):
    if damage == "truncated":
        build_int8(own_model, calibration_digits=200)
        damage = int8_path(own_model).read_bytes()[:300]
    int8_path(own_model).write_bytes(damage)
    image = tmp_path / "digit.png"
    Image.fromarray(np.full((28, 28), 255, np.uint8)).save(image)
    line = one_line_error(capsys, ["predict", str(image), "--model", str(own_model),
                                   "--runtime", "onnx-int8"])
    assert "model.int8.onnx: damaged int8 model" in line
    assert int8_path(own_model).read_bytes() == damage  # not overwritten behind the user's back


def test_unknown_runtime_is_refused(tmp_path, capsys):
    with pytest.raises(BraintankError, match="unknown runtime 'int4'"):
        DigitClassifier.load(runtime="int4")
    with pytest.raises(SystemExit) as stop:
        main(["predict", str(tmp_path / "x.png"), "--runtime", "int4"])
    assert stop.value.code == 2 and "invalid choice: 'int4'" in capsys.readouterr().err
