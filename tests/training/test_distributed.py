"""`braintank train --nproc N`: DistributedDataParallel over N processes (gloo on the CPU).

Two processes really start (torch.multiprocessing spawn), each with one thread, on a few
thousand images: what is pinned is that rank 0 alone writes the run, that the averaged
gradients of the shards are the full batch's (same weights as one process), that a resumed
2-process run ends bit for bit where an uninterrupted one does, and that errors are one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import braintank
from braintank import modelfile, runlog
from braintank.cli.main import main
from braintank.data.loader import TensorLoader
from braintank.training.config import TrainConfig
from braintank.training.distributed import RankContext, ShardedLoader, rank_seed
from braintank.training.distributed_launch import LaunchPlan, spawn

# A small MLP without dropout, BatchNorm or augmentation: nothing random but the shared
# shuffle, so two processes must compute what one does.
EXACT = ["--model", "mlp-50", "--train-size", "2000", "--val-size", "1000", "--batch-size", "100",
         "--epochs", "2", "--schedule", "onecycle", "--seed", "3", "--no-progress"]


@pytest.mark.parametrize(("n", "batch", "world"), [(1000, 100, 2), (1003, 100, 2), (1001, 100, 4),
                                                    (1002, 96, 3)])
def test_the_shards_of_a_step_are_the_one_process_batch(n, batch, world):
    """Same seed, same order: the ranks' step-k shards together are one process's batch k,
    equal in size; a last batch is cut to a multiple of the ranks (less than one image each)."""
    x, y = torch.arange(n).float().view(n, 1), torch.arange(n)
    whole = list(TensorLoader(x, y, batch, shuffle=True,
                              generator=torch.Generator().manual_seed(9)))
    shards = [list(ShardedLoader(x, y, batch, RankContext(rank, world, rank),
                                 torch.Generator().manual_seed(9))) for rank in range(world)]
    assert all(len(s) == len(shards[0]) for s in shards)
    for step, (_, labels) in enumerate(whole):
        if step == len(shards[0]):  # dropped: fewer images left than ranks
            assert len(labels) < world
            break
        parts = [shard[step][1] for shard in shards]
        assert len({len(p) for p in parts}) == 1  # rank r: positions r, r + N, r + 2N, ...
        kept = torch.stack(parts, dim=1).flatten()
        assert len(labels) - len(kept) < world
        assert torch.equal(kept, labels[:len(kept)])


def test_each_rank_and_epoch_draws_its_own_reproducible_seed():
    seeds = [rank_seed(5, rank, epoch, stream) for rank in range(2) for epoch in range(3)
             for stream in range(2)]
    assert len(set(seeds)) == len(seeds)
    assert seeds == [rank_seed(5, rank, epoch, stream) for rank in range(2) for epoch in range(3)
                     for stream in range(2)]


def final_weights(run_dir: Path) -> dict:
    return modelfile.load(run_dir / "last.pt").payload["model"]


@pytest.fixture(scope="module")
def exact_runs(tmp_path_factory, mnist_dir):
    root = tmp_path_factory.mktemp("exact")
    capture = root / "two.out"
    # the ranks write to the inherited stdout: capture it at the file descriptor
    with open(capture, "w") as out:
        saved = os.dup(1)
        os.dup2(out.fileno(), 1)
        try:
            code = main(["train", *EXACT, "--nproc", "2", "--threads", "1",
                         "--out", str(root / "two")])
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    assert code == 0
    assert main(["train", *EXACT, "--out", str(root / "one")]) == 0
    return root / "one", root / "two", capture.read_text()


def test_rank_zero_alone_writes_the_run_folder(exact_runs):
    _, two, stdout = exact_runs
    rows = runlog.read_metrics(two)
    assert [row["epoch"] for row in rows] == [1, 2]  # one row per epoch, not one per rank
    for name in ("config.json", "curves.png", "best.pt", "last.pt", "model.pt", "summary.json"):
        assert (two / name).is_file(), name
    assert not [p for p in two.iterdir() if p.name.startswith(".")]  # no stray temporary file
    summary = json.loads((two / "summary.json").read_text())
    assert summary["nproc"] == 2 and summary["threads"] == 1
    lines = stdout.splitlines()
    assert sum(line.startswith("epoch   1/2") for line in lines) == 1, stdout
    assert "2 processes on cpu (batches of 50 per process)" in lines[0]


def test_two_processes_train_the_weights_one_process_does(exact_runs):
    one, two, _ = exact_runs
    a, b = final_weights(one), final_weights(two)
    assert list(a) == list(b)  # the bare network's names: no DDP "module." prefix
    for name in a:
        assert torch.allclose(a[name], b[name], rtol=0, atol=1e-5), name
    summaries = [json.loads((run / "summary.json").read_text()) for run in (one, two)]
    assert abs(summaries[0]["test_accuracy"] - summaries[1]["test_accuracy"]) <= 0.002
    rows = [runlog.read_metrics(run) for run in (one, two)]
    for row_one, row_two in zip(*rows, strict=True):
        assert row_one["train_loss"] == pytest.approx(row_two["train_loss"], abs=1e-5)
        assert row_one["val_acc"] == pytest.approx(row_two["val_acc"], abs=0.002)


def random_config() -> dict:
    """Every source of randomness a rank has: BatchNorm buffers, dropout, augmentation,
    the shared shuffle and a per-step schedule."""
    return TrainConfig(model="tiny-bn", arch={"type": "digit_cnn", "width": 4, "hidden": 16,
                                              "dropout": 0.3},
                       optimizer="adam", lr=3e-3, batch_size=100, epochs=2, schedule="onecycle",
                       augment="affine", augment_prob=0.5, val_size=500, train_size=1200,
                       seed=5).to_dict()


def test_resumed_two_process_run_ends_with_the_uninterrupted_weights(tmp_path, mnist_dir):
    def plan(run_dir: Path, config: dict | None, stop_after: int | None = None) -> LaunchPlan:
        return LaunchPlan(nproc=2, run_dir=str(run_dir), config=config, threads=1,
                          progress=False, stop_after=stop_after)

    # (stop_after leaves the runs open: finishing them is the first test's business)
    spawn(plan(tmp_path / "whole", random_config(), stop_after=2))
    spawn(plan(tmp_path / "split", random_config(), stop_after=1))
    assert [row["epoch"] for row in runlog.read_metrics(tmp_path / "split")] == [1]
    spawn(plan(tmp_path / "split", None, stop_after=1))
    assert [row["epoch"] for row in runlog.read_metrics(tmp_path / "split")] == [1, 2]

    whole, split = final_weights(tmp_path / "whole"), final_weights(tmp_path / "split")
    for name, tensor in whole.items():
        assert torch.equal(tensor, split[name]), name
    assert runlog.read_metrics(tmp_path / "whole")[-1]["val_acc"] == \
        runlog.read_metrics(tmp_path / "split")[-1]["val_acc"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--nproc", "0"], "--nproc must be between 1 and 64, got 0"),
    (["--nproc", "2", "--batch-size", "101"], "batch size 101 is not divisible by --nproc 2"),
    (["--nproc", "2", "--optimizer", "rprop"], "trains in one process; use --nproc 1"),
    (["--nproc", "2", "--engine", "numpy"], "--nproc trains with the torch engine"),
    (["--nproc", "2", "--compile", "graphs"], "with --nproc use --compile model"),
])
def test_settings_that_cannot_be_split_are_one_line_errors(capsys, tmp_path, argv, message):
    code = main(["train", "--model", "mlp-50", "--out", str(tmp_path / "run"), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1 and err[0].startswith("braintank: error: "), err
    assert message in err[0]
    assert not (tmp_path / "run").exists()


def test_an_error_on_one_rank_ends_every_rank_with_one_line(tmp_path, mnist_dir):
    """Rank 0 refuses a folder that holds a run while rank 1 already waits in DDP's first
    collective: the launcher must end rank 1 and report rank 0's reason, once."""
    (tmp_path / "last.pt").write_bytes(b"a run was here")
    env = {**os.environ, "PYTHONPATH": str(Path(braintank.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-m", "braintank.cli.main", "train", *EXACT,
                           "--nproc", "2", "--threads", "1", "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        f"braintank: error: {tmp_path} already holds a run; use --resume {tmp_path} to "
        "continue it or choose another --out"]
