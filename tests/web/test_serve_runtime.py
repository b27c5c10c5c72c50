"""`braintank serve --runtime`: the app reads with the runtime asked for, building a model's
int8 copy first when it has none, and says which runtime and threshold are in use."""

from __future__ import annotations

import shutil

import numpy as np

from braintank.inference.classifier import DigitClassifier
from braintank.modelfile.quantize import int8_path, read_int8


def test_serving_on_int8_builds_the_copy_and_reads_with_its_calibration(
        make_client, tiny_model, tmp_path, one_png, capsys):
    model = tmp_path / "own" / "model.pt"
    model.parent.mkdir()
    shutil.copy(tiny_model, model)
    assert not int8_path(model).exists()
    client = make_client(model=model, runtime="onnx-int8")
    assert "making the int8 model" in capsys.readouterr().err
    int8 = read_int8(int8_path(model))
    facts = client.get("/api/model").json()
    assert facts["runtime"] == "onnx-int8"
    assert facts["threshold_in_use"] == int8.calibration["threshold"]
    answer = client.post("/api/predict", files=[("images", ("one.png", one_png, "image/png"))])
    (got,) = answer.json()["predictions"]
    (tmp_path / "one.png").write_bytes(one_png)
    (expected,) = DigitClassifier.load(model, runtime="onnx-int8").predict(
        [str(tmp_path / "one.png")])
    assert got["digit"] == expected.digit and got["status"] == expected.status
    assert np.allclose(got["probabilities"], expected.probabilities, atol=1e-4)


def test_the_default_runtime_is_torch_with_the_model_files_threshold(client):
    facts = client.get("/api/model").json()
    assert facts["runtime"] == "torch"
    assert facts["threshold_in_use"] == facts["calibration"]["threshold"]
