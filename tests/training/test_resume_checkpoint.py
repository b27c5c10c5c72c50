"""Checkpoints: resume equals an uninterrupted run, writes are atomic, foreign files refused."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time

import pytest
import torch

from braintank import modelfile, runlog
from braintank.errors import BraintankError
from braintank.training.config import TrainConfig
from braintank.training.finalize import finalize
from braintank.training.loop import resume_run, start_run

CPU = torch.device("cpu")


def tiny_config(**overrides) -> TrainConfig:
    """A small MLP with every source of randomness a run has: shuffling, dropout, augmentation,
    a per-step schedule."""
    settings = dict(model="tiny", arch={"type": "mlp", "hidden": [32], "dropout": 0.2},
                    optimizer="adam", lr=3e-3, batch_size=256, epochs=2, schedule="onecycle",
                    augment="affine", val_size=1000, train_size=4000, seed=7)
    return TrainConfig(**{**settings, **overrides})


def test_resume_ends_with_the_same_weights(tmp_path, mnist_dir):
    whole = start_run(tiny_config(), tmp_path / "whole", CPU, progress=False)
    whole.fit()

    first = start_run(tiny_config(), tmp_path / "split", CPU, progress=False)
    first.fit(stop_after=1)
    del first  # the process that trained epoch 1 is gone; only the folder remains
    second = resume_run(tmp_path / "split", CPU, progress=False)
    assert second.state.epoch == 1
    second.fit()

    for name, tensor in whole.model.state_dict().items():
        assert torch.equal(tensor, second.model.state_dict()[name]), name
    whole_rows = runlog.read_metrics(tmp_path / "whole")
    split_rows = runlog.read_metrics(tmp_path / "split")
    assert [r["val_acc"] for r in whole_rows] == [r["val_acc"] for r in split_rows]
    assert len(split_rows) == 2 and (tmp_path / "split" / "curves.png").stat().st_size > 0
    # the summary counts both sessions' training passes, not only the resumed one, and not
    # the validation after each epoch
    summary = finalize(second)
    assert summary["train_seconds"] == round(sum(r["train_seconds"] for r in split_rows), 2)
    assert all(0 < r["train_seconds"] < r["seconds"] for r in split_rows)


def test_divergence_stops_cleanly_and_keeps_last_good_checkpoint(tmp_path, mnist_dir):
    trainer = start_run(tiny_config(schedule="none", augment="none"), tmp_path, CPU,
                        progress=False)
    trainer.fit(stop_after=1)
    good = modelfile.load(tmp_path / "last.pt").payload
    with torch.no_grad():
        trainer.model.layers[1].weight.fill_(float("nan"))
    with pytest.raises(BraintankError, match="diverged.*last good checkpoint"):
        trainer.fit()
    kept = modelfile.load(tmp_path / "last.pt").payload
    assert kept["state"]["epoch"] == 1
    for name, tensor in good["model"].items():
        assert torch.equal(tensor, kept["model"][name])


def test_existing_run_is_not_overwritten(tmp_path, mnist_dir):
    start_run(tiny_config(epochs=1), tmp_path, CPU, progress=False).fit()
    with pytest.raises(BraintankError, match="already holds a run"):
        start_run(tiny_config(epochs=1), tmp_path, CPU, progress=False)


class Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_loading_never_unpickles_arbitrary_objects(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"format": "braintank", "arch": {}, "model": Evil(), "normalize": [0, 1]}, path)
    os.chdir(tmp_path)
    with pytest.raises(BraintankError, match="not a readable braintank model file"):
        modelfile.load(path)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("content", [b"", b"hello", pickle.dumps({"a": 1})])
def test_foreign_files_are_refused(tmp_path, content):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(BraintankError, match="model.pt"):
        modelfile.load(path)


def test_foreign_torch_file_is_refused(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, path)
    with pytest.raises(BraintankError, match="not a braintank model file"):
        modelfile.load(path)


WRITER = """
import sys, torch
from braintank import modelfile
from braintank.nets import build_model
arch = {"type": "mlp", "hidden": [5000]}  # 4 million weights: a write takes a while
state = build_model(arch).state_dict()
i = 0
while True:
    i += 1
    for tensor in state.values():
        tensor.fill_(i)
    modelfile.save(sys.argv[1], {"arch": arch, "model": state, "normalize": [0, 1], "i": i})
    print(i, flush=True)
"""


def test_kill_during_write_never_leaves_a_broken_checkpoint(tmp_path):
    target = tmp_path / "last.pt"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "1"  # one complete write happened
        time.sleep(0.3)  # now kill it somewhere inside a later write
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    saved = modelfile.load(target)
    assert saved.payload["i"] >= 1
    for tensor in saved.network.state_dict().values():  # one whole write, not two halves
        assert bool((tensor == saved.payload["i"]).all())
