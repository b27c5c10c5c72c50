"""Broken, hostile and wrong-shaped model files (.pt) are refused with one line, never a
traceback, and before anything big is allocated (issue 10, items 10 and 11)."""

from __future__ import annotations

import math

import pytest
import torch

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.inference.classifier import DigitClassifier
from braintank.nets import build_model

TINY = {"type": "mlp", "hidden": [8]}


def tiny_state(arch: dict = TINY) -> dict:
    torch.manual_seed(0)
    return build_model(arch).state_dict()


def write_pt(path, arch=TINY, state=None, **fields) -> str:
    """A model file as braintank writes it (plain torch.save, so the test needs no loader)."""
    payload = {"format": "braintank", "version": 1, "kind": "model", "arch": arch,
               "config": {}, "normalize": [0.1307, 0.3081], "calibration": None,
               "model": tiny_state() if state is None else state}
    payload.update(fields)
    torch.save(payload, path)
    return str(path)


def assert_refused_everywhere(capsys, tmp_path, model: str, fragment: str) -> None:
    """predict, export, calibrate and ensemble all end in one line naming the file; the
    library raises the same."""
    for argv in (["predict", "--model", model, str(tmp_path / "no-image.png")],
                 ["export", "--model", model, "--out", str(tmp_path / "m.onnx")],
                 ["calibrate", "--model", model],
                 ["ensemble", model, model, "--out", str(tmp_path / "ens.pt")]):
        code = main(argv)
        out, err = capsys.readouterr()
        lines = err.strip().splitlines()
        assert code != 0 and out == "", (argv, out, err)
        assert len(lines) == 1 and lines[0].startswith("braintank: error:"), err
        assert model in lines[0] and fragment in lines[0], lines[0]
    assert not (tmp_path / "m.onnx").exists() and not (tmp_path / "ens.pt").exists()
    with pytest.raises(BraintankError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        DigitClassifier.load(model)


@pytest.mark.parametrize("arch, fragment", [
    ("mlp", "architecture"),
    ({"hidden": [8]}, "architecture"),
    ({"type": 5}, "architecture"),
    ({"type": "transformer"}, "unknown architecture type"),
    ({"type": "mlp", "hidden": "64"}, "hidden"),
    ({"type": "mlp", "hidden": [-3]}, "hidden"),
    ({"type": "mlp", "hidden": [8.5]}, "hidden"),
    ({"type": "mlp", "hidden": [True]}, "hidden"),
    ({"type": "mlp", "hidden": [8], "dropout": "high"}, "dropout"),
    ({"type": "mlp", "hidden": [8], "dropout": math.nan}, "dropout"),
    ({"type": "digit_cnn", "width": -1}, "width"),
    ({"type": "row_rnn", "cell": ["lstm"]}, "cell"),
    ({"type": "ensemble", "members": []}, "ensemble"),
    ({"type": "ensemble", "members": "mlp"}, "ensemble"),
    ({"type": "ensemble", "members": [{"type": "ensemble", "members": [TINY]}]}, "ensemble"),
])
def test_architecture_of_the_wrong_shape_or_type(capsys, tmp_path, arch, fragment):
    model = write_pt(tmp_path / "bad-arch.pt", arch=arch)
    assert_refused_everywhere(capsys, tmp_path, model, fragment)


@pytest.mark.parametrize("normalize", [
    "mnist", None, [0.1307], [0.1, 0.2, 0.3], ["0.1", "0.3"], [0.1, 0.0], [0.1, -0.3],
    [math.nan, 0.3], [0.1, math.inf], {"mean": 0.1, "std": 0.3}, [True, 0.3],
])
def test_normalization_must_be_two_finite_numbers_with_positive_std(capsys, tmp_path,
                                                                     normalize):
    model = write_pt(tmp_path / "bad-norm.pt", normalize=normalize)
    assert_refused_everywhere(capsys, tmp_path, model, "normalize")


@pytest.mark.parametrize("calibration, fragment", [
    ("calibrated", "calibration"),
    ([1.2, 0.9], "calibration"),
    ({"temperature": 0.0, "threshold": 0.9}, "temperature"),
    ({"temperature": -1.0, "threshold": 0.9}, "temperature"),
    ({"temperature": math.nan, "threshold": 0.9}, "temperature"),
    ({"temperature": math.inf, "threshold": 0.9}, "temperature"),
    ({"temperature": "1.2", "threshold": 0.9}, "temperature"),
    ({"temperature": 1.2, "threshold": 1.5}, "threshold"),
    ({"temperature": 1.2, "threshold": -0.1}, "threshold"),
    ({"temperature": 1.2, "threshold": math.nan}, "threshold"),
    ({"temperature": 1.2, "threshold": "high"}, "threshold"),
])
def test_calibration_must_be_a_positive_temperature_and_a_threshold_in_0_1(
        capsys, tmp_path, calibration, fragment):
    model = write_pt(tmp_path / "bad-cal.pt", calibration=calibration)
    assert_refused_everywhere(capsys, tmp_path, model, fragment)


@pytest.mark.parametrize("fields, fragment", [
    ({"config": "cnn"}, "config"),
    ({"kind": 7}, "kind"),
    ({"version": "1"}, "version"),
    ({"model": "weights"}, "weights"),
    ({"model": {"layers.1.weight": [[0.0] * 784] * 8}}, "weights"),
    ({"model": {**tiny_state(), "layers.9.weight": torch.zeros(3)}}, "weights"),
    ({"model": {k: v for k, v in tiny_state().items() if k != "layers.1.bias"}}, "weights"),
    ({"model": {**tiny_state(), "layers.1.bias": torch.zeros(9)}}, "weights"),
    ({"model": {**tiny_state(), "layers.1.bias": torch.zeros(8, dtype=torch.int64)}},
     "weights"),
    ({"model": {**tiny_state(), "layers.1.bias": torch.full((8,), math.nan)}}, "NaN"),
])
def test_other_fields_of_the_wrong_type_and_mismatched_weights(capsys, tmp_path, fields,
                                                               fragment):
    model = write_pt(tmp_path / "bad-field.pt", **fields)
    assert_refused_everywhere(capsys, tmp_path, model, fragment)


def test_a_huge_layer_is_refused_before_anything_is_allocated(capsys, tmp_path):
    """10^6 x 10^6 weights would be 4 TB: refused from the spec, before allocation."""
    model = write_pt(tmp_path / "huge.pt", arch={"type": "mlp", "hidden": [10**6, 10**6]})
    assert_refused_everywhere(capsys, tmp_path, model, "parameters")


def test_the_parameter_cap_is_counted_from_the_spec(tmp_path):
    """~415 million parameters: over the cap (100 million), refused from the spec alone."""
    from braintank.modelfile import MAX_PARAMETERS, load

    model = write_pt(tmp_path / "big.pt", arch={"type": "mlp", "hidden": [20000, 20000]})
    with pytest.raises(BraintankError, match=f"{MAX_PARAMETERS:,}"):
        load(model)


@pytest.mark.parametrize("classes", [3, 5, 11])
def test_a_model_that_does_not_output_ten_classes_is_refused(capsys, tmp_path, classes):
    arch = {"type": "mlp", "hidden": [8], "num_classes": classes}
    model = write_pt(tmp_path / f"classes{classes}.pt", arch=arch, state=tiny_state(arch))
    assert_refused_everywhere(capsys, tmp_path, model, f"{classes} classes")


def test_an_mlp_whose_input_is_not_784_pixels_is_refused(capsys, tmp_path):
    arch = {"type": "mlp", "hidden": [8], "in_features": 100}
    model = write_pt(tmp_path / "in100.pt", arch=arch, state=tiny_state(arch))
    assert_refused_everywhere(capsys, tmp_path, model, "784")


def test_a_recurrent_net_that_cannot_read_28_rows_is_refused(capsys, tmp_path):
    arch = {"type": "row_rnn", "cell": "gru", "hidden": 4, "layers": 1, "steps": 5,
            "step_size": 5}
    model = write_pt(tmp_path / "rnn5.pt", arch=arch, state=tiny_state(arch))
    assert_refused_everywhere(capsys, tmp_path, model, "28x28")


def test_eval_refuses_a_broken_model_in_one_line(capsys, tmp_path, mnist_dir):
    arch = {"type": "mlp", "hidden": [8], "num_classes": 5}
    model = write_pt(tmp_path / "five.pt", arch=arch, state=tiny_state(arch))
    code = main(["eval", "--model", model])
    _, err = capsys.readouterr()
    assert code != 0 and len(err.strip().splitlines()) == 1 and "5 classes" in err


@pytest.mark.parametrize("arch", [
    TINY,
    {"type": "small_cnn"},
    {"type": "digit_cnn", "width": 4, "hidden": 16},
    {"type": "row_rnn", "cell": "lstm", "hidden": 8, "layers": 1},
    {"type": "ensemble", "members": [TINY, {"type": "small_cnn"}]},
])
def test_every_architecture_still_loads_and_predicts_the_same(tmp_path, arch):
    from braintank.modelfile import load

    torch.manual_seed(3)
    net = build_model(arch).eval()
    path = write_pt(tmp_path / "ok.pt", arch=arch, state=net.state_dict(),
                    calibration={"temperature": 1.5, "threshold": 0.8})
    loaded = load(path)
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(loaded.network(x), net(x))
    assert loaded.normalize == (0.1307, 0.3081)
    assert loaded.calibration["temperature"] == 1.5 and loaded.kind == "model"
    clf = DigitClassifier.load(path)
    assert clf.policy.temperature == 1.5 and clf.policy.threshold == 0.8


def test_the_shipped_model_passes_the_checks():
    from braintank.inference.classifier import default_model_path
    from braintank.modelfile import load

    loaded = load(default_model_path())
    assert loaded.arch["type"] == "digit_cnn" and loaded.calibration["threshold"] > 0.5


# ---- train --resume reads its checkpoint through the same loader --------------------------

def resume_error(capsys, run_dir) -> str:
    code = main(["train", "--resume", str(run_dir), "--no-progress"])
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code != 0 and len(lines) == 1 and lines[0].startswith("braintank: error:"), err
    return lines[0]


def test_resume_refuses_a_checkpoint_that_does_not_read_digits(capsys, tmp_path):
    arch = {"type": "mlp", "hidden": [8], "num_classes": 5}
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    write_pt(run_dir / "last.pt", arch=arch, state=tiny_state(arch), kind="checkpoint",
             config={"arch": arch})
    assert "5 classes" in resume_error(capsys, run_dir)


@pytest.fixture(scope="module")
def checkpoint_run(tmp_path_factory, mnist_dir):
    """A real run folder after one tiny epoch (its last.pt is a resumable checkpoint)."""
    from braintank.training.config import TrainConfig
    from braintank.training.loop import start_run

    run_dir = tmp_path_factory.mktemp("resumable") / "run"
    cfg = TrainConfig(model="tiny", arch=TINY, lr=1e-3, batch_size=100, epochs=3,
                      val_size=100, train_size=300, seed=0)
    start_run(cfg, run_dir, torch.device("cpu"), progress=False).fit(stop_after=1)
    return run_dir


@pytest.mark.parametrize("field, value, fragment", [
    ("rng", {"torch": "not a state"}, "damaged training state"),
    ("optimizer", {"state": 5}, "damaged training state"),
    ("state", {"epoch": 1, "colour": "red"}, "damaged training state"),
    ("config", {"arch": {"type": "mlp", "hidden": [9]}}, "different networks"),
    ("config", {"lr": "fast"}, "learning rate"),
    ("kind", "model", "not a resumable checkpoint"),
])
def test_resume_refuses_a_tampered_checkpoint_in_one_line(capsys, tmp_path, checkpoint_run,
                                                          field, value, fragment):
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(checkpoint_run, run_dir)
    payload = torch.load(run_dir / "last.pt", weights_only=True)
    payload[field] = ({**payload[field], **value} if field == "config" else value)
    torch.save(payload, run_dir / "last.pt")
    assert fragment in resume_error(capsys, run_dir)


def test_weight_names_from_the_file_cannot_break_the_error_over_lines():
    """Hypothesis found it: an unexpected weight named with a newline printed raw."""
    import torch

    from braintank.errors import BraintankError
    from braintank.modelfile.network import check_weights

    with pytest.raises(BraintankError) as caught:
        check_weights({"w": torch.zeros(2)}, {"w": torch.zeros(2), "evil\nname": torch.zeros(1)},
                      "probe.pt", "mlp")
    assert "\n" not in str(caught.value) and "'evil\\nname'" in str(caught.value)
