"""batch-size: bigger mini-batches make an epoch faster, though on a CPU each step grows
with the batch (unlike the seed's GPU); each run records accuracy against time."""

import json

from braintank.experiments import run_and_write


def test_bigger_batches_make_epochs_faster(tmp_path):
    folder = run_and_write("batch-size", tmp_path / "bs", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    runs = numbers["runs"]
    sizes = sorted(runs, key=int)
    smallest, largest = runs[sizes[0]], runs[sizes[-1]]
    assert largest["epoch_seconds"] < 0.9 * smallest["epoch_seconds"]
    assert largest["step_ms"] > 3 * smallest["step_ms"]   # 16x the batch: far from constant
    assert all(len(r["val_acc"]) == len(r["seconds"]) == 2 for r in runs.values())
    assert (folder / "batch_size.png").is_file()
