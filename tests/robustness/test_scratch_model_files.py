"""Broken, hostile and wrong-shaped NumPy-engine models (.npz) are refused with one line,
before any big allocation (issue 10, items 10 and 11)."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.inference.classifier import DigitClassifier
from braintank.scratch import mlp
from braintank.scratch.serialize import save_model


def valid_arrays(tmp_path, sizes=(784, 8, 10), meta=None) -> dict[str, np.ndarray]:
    path = tmp_path / "valid.npz"
    save_model(mlp(list(sizes), seed=0), path,
               meta=meta if meta is not None else {"normalize": [0.1307, 0.3081]})
    with np.load(path) as data:
        return {name: data[name] for name in data.files}


def write_npz(path, arrays: dict) -> str:
    np.savez(path, **arrays)
    return str(path)


def assert_refused_everywhere(capsys, tmp_path, model: str, fragment: str) -> None:
    for argv in (["predict", "--model", model, str(tmp_path / "no-image.png")],
                 ["export", "--model", model, "--out", str(tmp_path / "m.onnx")]):
        code = main(argv)
        out, err = capsys.readouterr()
        lines = err.strip().splitlines()
        assert code != 0 and out == "", (argv, out, err)
        assert len(lines) == 1 and lines[0].startswith("braintank: error:"), err
        assert model in lines[0] and fragment in lines[0], lines[0]
    with pytest.raises(BraintankError, match=fragment):
        DigitClassifier.load(model)


def mutated(tmp_path, **changes) -> str:
    arrays = valid_arrays(tmp_path)
    for name, value in changes.items():
        name = name.replace("__", ".")
        if value is None:
            del arrays[name]
        else:
            arrays[name] = value
    return write_npz(tmp_path / "bad.npz", arrays)


@pytest.mark.parametrize("changes, fragment", [
    ({"braintank_format": None}, "not a braintank scratch model"),
    ({"braintank_format": np.array(7)}, "not a braintank scratch model"),
    ({"format_version": None}, "format version"),
    ({"format_version": np.array("one")}, "format version"),
    ({"format_version": np.array([1, 2])}, "format version"),
    ({"meta": None}, "meta"),
    ({"meta": np.array("{not json")}, "meta"),
    ({"meta": np.array("[1, 2]")}, "meta"),
    ({"meta": np.array(3.5)}, "meta"),
    ({"meta": np.array(json.dumps({"normalize": "mnist"}))}, "normalize"),
    ({"meta": np.array(json.dumps({"normalize": [0.1, 0]}))}, "normalize"),
    ({"meta": np.array(json.dumps({"calibration": {"temperature": -2}}))}, "temperature"),
    ({"meta": np.array(json.dumps({"calibration": {"threshold": 7}}))}, "threshold"),
    ({"architecture": None}, "architecture"),
    ({"architecture": np.array("[{")}, "architecture"),
    ({"architecture": np.array("[" * 100000)}, "architecture"),
    ({"architecture": np.array('{"type": "dense"}')}, "architecture"),
    ({"architecture": np.array('["dense"]')}, "architecture"),
    ({"architecture": np.array('[{"type": "dense", "in_features": "abc", "out_features": 10}]')},
     "in_features"),
    ({"architecture": np.array('[{"type": "dense", "in_features": 784, "out_features": -1}]')},
     "out_features"),
    ({"architecture": np.array('[{"type": "dense", "in_features": 784, "out_features": 10, '
                               '"dtype": 3}]')}, "dtype"),
    ({"architecture": np.array('[{"type": "dropout", "p": 2}, {"type": "dense", '
                               '"in_features": 784, "out_features": 10}]')}, "dropout"),
    ({"architecture": np.array('[{"type": "relu"}]')}, "dense"),
    ({"architecture": np.array('[{"type": "conv"}]')}, "unknown layer type"),
    ({"param__0": np.zeros((8, 784), dtype="<U2")}, "parameter 0"),
    ({"param__0": np.zeros((9, 784), dtype=np.float32)}, "parameter 0"),
    ({"param__1": None}, "parameter 1"),
    ({"param__4": np.zeros(3, dtype=np.float32)}, "param.4"),
    ({"param__3": np.full(10, np.nan, dtype=np.float32)}, "NaN"),
])
def test_malformed_npz_models_are_one_line_errors(capsys, tmp_path, changes, fragment):
    assert_refused_everywhere(capsys, tmp_path, mutated(tmp_path, **changes), fragment)


def test_a_huge_layer_in_the_spec_is_refused_before_allocation(capsys, tmp_path):
    spec = [{"type": "dense", "in_features": 784, "out_features": 10**6, "dtype": "float32"},
            {"type": "relu"},
            {"type": "dense", "in_features": 10**6, "out_features": 10**6, "dtype": "float32"},
            {"type": "dense", "in_features": 10**6, "out_features": 10, "dtype": "float32"}]
    model = mutated(tmp_path, architecture=np.array(json.dumps(spec)))
    assert_refused_everywhere(capsys, tmp_path, model, "parameters")


def test_a_huge_array_header_is_refused_before_reading_it(capsys, tmp_path):
    """An .npy header claiming 10^6 x 10^6 floats (4 TB) over a few bytes of data."""
    arrays = valid_arrays(tmp_path)
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, value, allow_pickle=False)
            archive.writestr(f"{name}.npy", buffer.getvalue())
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": "<f4", "fortran_order": False, "shape": (10**6, 10**6)})
        archive.writestr("param.9.npy", header.getvalue() + b"\0" * 64)
    assert_refused_everywhere(capsys, tmp_path, str(path), "too large")


@pytest.mark.parametrize("sizes, fragment", [
    ((100, 8, 10), "784"),
    ((784, 8, 5), "5 classes"),
    ((784, 3), "3 classes"),
])
def test_wrong_input_or_output_sizes_are_refused(capsys, tmp_path, sizes, fragment):
    path = tmp_path / "sizes.npz"
    save_model(mlp(list(sizes), seed=0), path)
    assert_refused_everywhere(capsys, tmp_path, str(path), fragment)


def test_a_valid_npz_model_still_loads_with_its_metadata(tmp_path):
    from braintank.modelfile import load

    meta = {"normalize": [0.2, 0.4], "calibration": {"temperature": 2.0, "threshold": 0.7}}
    path = write_npz(tmp_path / "ok.npz", valid_arrays(tmp_path, meta=meta))
    loaded = load(path)
    assert loaded.normalize == (0.2, 0.4) and loaded.calibration["temperature"] == 2.0
    clf = DigitClassifier.load(path)
    assert clf.policy.threshold == 0.7
    assert clf.predict_batch28(np.zeros((2, 28, 28), np.float32)).shape == (2, 10)


def test_an_npz_renamed_to_pt_is_still_read(tmp_path):
    from braintank.modelfile import load

    path = tmp_path / "renamed.pt"
    write_npz(path.with_suffix(".npz"), valid_arrays(tmp_path))
    path.with_suffix(".npz").rename(path)
    assert load(path).engine == "numpy"
