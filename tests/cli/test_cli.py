"""The command line: outputs people rely on, and bad input as one-line errors with exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from braintank.cli.main import main
from braintank.data import load_split


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, fragment: str) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("braintank: error:") and fragment in lines[0], err


@pytest.fixture(scope="module")
def digit_files(tmp_path_factory, mnist_dir):
    folder = tmp_path_factory.mktemp("digits")
    images, labels = load_split("mnist", "test")
    paths = []
    for i in range(6):
        ink_on_paper = 255 - np.pad(images[i], 20)  # dark ink on white, padded
        path = folder / f"d{i}_{labels[i]}.png"
        Image.fromarray(ink_on_paper).resize((200, 200)).save(path)
        paths.append(path)
    Image.fromarray(np.full((64, 64), 250, np.uint8)).save(folder / "blank.png")
    return paths, folder / "blank.png"


def test_predict_json_lines(capsys, tiny_model, digit_files, tmp_path):
    paths, blank = digit_files
    code, out, _ = run(capsys, "predict", "--model", str(tiny_model), "--json",
                       "--show", str(tmp_path / "seen"), *map(str, paths), str(blank))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(paths) + 1
    for row in rows:
        assert set(row) == {"file", "digit", "confidence", "status", "probabilities",
                            "reason"}
        assert len(row["probabilities"]) == 10
    assert rows[-1]["status"] == "empty" and rows[-1]["digit"] is None
    for row in rows[:-1]:
        assert row["status"] in ("ok", "review")
        assert abs(sum(row["probabilities"]) - 1) < 1e-4
        # the review statistic: the weakest test-time view's probability of the digit
        assert row["digit"] == max(range(10), key=row["probabilities"].__getitem__)
        assert 0 < row["confidence"] <= max(row["probabilities"]) + 1e-6
    assert len(list((tmp_path / "seen").glob("*.png"))) == len(paths)


def test_predict_onnx_runtime_agrees_with_torch(capsys, tiny_model, digit_files):
    paths, _ = digit_files
    outputs = {}
    for runtime in ("torch", "onnx"):
        code, out, _ = run(capsys, "predict", "--model", str(tiny_model), "--json",
                           "--runtime", runtime, *map(str, paths))
        assert code == 0
        outputs[runtime] = [json.loads(line) for line in out.splitlines()]
    for a, b in zip(outputs["torch"], outputs["onnx"], strict=True):
        assert a["digit"] == b["digit"]
        assert np.abs(np.subtract(a["probabilities"], b["probabilities"])).max() < 1e-4


def test_bad_files_do_not_stop_the_batch(capsys, tiny_model, digit_files, tmp_path):
    paths, _ = digit_files
    (tmp_path / "notes.png").write_text("not an image")
    code, out, err = run(capsys, "predict", "--model", str(tiny_model),
                         str(tmp_path / "notes.png"), str(paths[0]), str(tmp_path / "gone.png"))
    assert code == 1
    assert len(out.strip().splitlines()) == 1  # the good file was still read
    assert "notes.png" in err and "gone.png" in err and "Traceback" not in err


@pytest.mark.parametrize("argv, fragment", [
    (["train", "--model", "nope"], "unknown model 'nope'"),
    (["train", "--model", "mlp-50", "--lr", "-1"], "learning rate must be > 0"),
    (["train", "--model", "mlp-50", "--optimizer", "adamw"], "unknown optimizer 'adamw'"),
    (["train", "--resume", "/nonexistent/run"], "no checkpoint"),
    (["train", "--device", "cuda:0"] if not torch.cuda.is_available() else ["train", "--device",
                                                                              "tpu"],
     "device"),
    (["predict", "--threshold", "2", "x.png"], "--threshold must be between 0 and 1"),
    (["eval", "--dataset", "cifar"], "unknown dataset 'cifar'"),
    (["eval", "--dataset", "mfeat"], "dataset 'mfeat' is not in MNIST's format"),
    (["data", "info", "--dataset", "cifar"], "known: fashion-mnist, mfeat, mnist, optdigits"),
])
def test_bad_arguments_are_one_line_errors(capsys, argv, fragment, mnist_dir):
    code, _, err = run(capsys, *argv)
    assert_one_line_error(code, err, fragment)


def test_model_file_from_elsewhere(capsys, tmp_path):
    foreign = tmp_path / "resnet.pt"
    torch.save({"state_dict": {"w": torch.zeros(3)}}, foreign)
    code, _, err = run(capsys, "predict", "--model", str(foreign), "x.png")
    assert_one_line_error(code, err, "not a braintank model file")


def test_eval_reports_metrics_and_writes_plots(capsys, tiny_model, tmp_path, mnist_dir):
    code, out, _ = run(capsys, "eval", "--model", str(tiny_model), "--json",
                       "--out", str(tmp_path / "ev"))
    assert code == 0
    report = json.loads(out)
    assert 0.8 < report["accuracy"] <= 1
    assert len(report["per_class"]) == 10 and report["ece"] is not None
    assert sum(map(sum, report["confusion_matrix"])) == 10000
    for name in ("report.json", "confusion.png", "reliability.png", "coverage.png"):
        assert (tmp_path / "ev" / name).stat().st_size > 0


def test_export_onnx_and_torchscript(capsys, tiny_model, tmp_path):
    import onnxruntime as ort

    for fmt, name in (("onnx", "m.onnx"), ("torchscript", "m.ts")):
        code, _, _ = run(capsys, "export", "--model", str(tiny_model), "--format", fmt,
                         "--out", str(tmp_path / name))
        assert code == 0
    x = np.random.default_rng(0).normal(size=(4, 1, 28, 28)).astype(np.float32)
    onnx_out = ort.InferenceSession(str(tmp_path / "m.onnx")).run(None, {"x": x})[0]
    ts_out = torch.jit.load(str(tmp_path / "m.ts"))(torch.from_numpy(x)).detach().numpy()
    assert np.abs(onnx_out - ts_out).max() < 1e-4


def test_installed_command_exits_nonzero_without_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-m", "braintank.cli.main", "predict", "--model",
                           str(tmp_path / "missing.pt"), "x.png"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    missing = tmp_path / "missing.pt"
    assert proc.stderr.strip() == f"braintank: error: {missing}: model file not found"


def test_numpy_engine_trains_and_its_model_is_used_like_any_other(capsys, tmp_path, mnist_dir,
                                                                   digit_files):
    run_dir = tmp_path / "scratch"
    code, out, _ = run(capsys, "train", "--engine", "numpy", "--model", "tiny", "--out",
                       str(run_dir), "--no-progress")
    assert code == 0 and "numpy engine" in out
    for name in ("metrics.jsonl", "curves.png", "model.npz", "summary.json"):
        assert (run_dir / name).is_file()
    code, out, _ = run(capsys, "eval", "--model", str(run_dir / "model.npz"), "--json")
    report = json.loads(out)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert report["accuracy"] == pytest.approx(summary["test_accuracy"], abs=1e-4)
    paths, _ = digit_files
    code, out, _ = run(capsys, "predict", "--model", str(run_dir / "model.npz"), "--json",
                       "--runtime", "onnx", str(paths[0]))
    assert code == 0 and json.loads(out)["status"] in ("ok", "review")


def test_numpy_engine_takes_another_optimizer_with_its_own_defaults(capsys, tmp_path,
                                                                     mnist_dir):
    """The preset's momentum 0.9 belongs to its momentum optimizer; Adam asked for on the
    command line trains with Adam's defaults instead of failing on `momentum`."""
    run_dir = tmp_path / "adam"
    code, out, err = run(capsys, "train", "--engine", "numpy", "--model", "tiny", "--optimizer",
                         "adam", "--epochs", "1", "--train-size", "2000", "--out", str(run_dir),
                         "--no-progress")
    assert code == 0, err
    config = json.loads((run_dir / "config.json").read_text())
    assert config["optimizer"] == "adam" and config["optimizer_args"] == {}


def test_numpy_engine_refuses_torch_only_flags(capsys):
    code, _, err = run(capsys, "train", "--engine", "numpy", "--augment", "affine")
    assert_one_line_error(code, err, "--augment not available with --engine numpy")


def test_calibrate_refits_the_threshold_on_the_validation_split(capsys, tiny_model, tmp_path):
    import shutil

    from braintank.inference.classifier import DigitClassifier

    model = tmp_path / "m.pt"
    shutil.copyfile(tiny_model, model)
    before = DigitClassifier.load(model)
    thresholds = []
    for target in ("0.9", "0.99"):
        code, out, _ = run(capsys, "calibrate", "--model", str(model), "--target", target)
        assert code == 0 and "validation digits accepted" in out
        thresholds.append(DigitClassifier.load(model).policy.threshold)
    assert thresholds[0] < thresholds[1]  # a stricter target sends more to review
    # the temperature is refitted on the same split the run used, so it does not change
    after = DigitClassifier.load(model).policy
    assert after.temperature == pytest.approx(before.policy.temperature)
    code, _, err = run(capsys, "calibrate", "--model", str(model), "--target", "1.5")
    assert_one_line_error(code, err, "--target must be in [0.5, 1)")


def test_building_the_command_line_does_not_load_torch():
    """`braintank --help` and every command's argument parsing start in well under a second
    (torch alone takes seconds to import): settings and their defaults live in torch-free
    modules (training.config, data.augment_names, training.defaults)."""
    import subprocess
    import sys

    code = ("import sys; from braintank.cli.main import build_parser; build_parser(); "
            "print(sorted(m for m in ('torch', 'numpy', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert "torch" not in out, out


def test_every_command_module_registers_and_a_broken_one_is_not_hidden(monkeypatch):
    """A command module that fails to import stops the CLI loudly instead of vanishing from
    `braintank --help`."""
    from braintank.cli import main as cli_main

    parser = cli_main.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert {"data", "train", "eval", "predict", "calibrate", "ensemble", "export", "sheet",
            "finetune", "serve", "rl", "experiment"} <= set(commands)
    monkeypatch.setattr(cli_main, "COMMAND_MODULES",
                        (*cli_main.COMMAND_MODULES, "braintank.cli.no_such_cmd"))
    with pytest.raises(ModuleNotFoundError, match="no_such_cmd"):
        cli_main.build_parser()
