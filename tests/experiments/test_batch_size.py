"""batch-size: every batch size is trained and timed, and each run records accuracy against
time. Whether bigger batches make an epoch faster is a timing, measured (as a ratio, in one
run) by benchmarks/batch_size_speed.py, not asserted here: on a loaded 2-core machine the
quick run's 0.03 s epochs are within noise of each other."""

import json

from braintank.experiments import run_and_write


def test_every_batch_size_is_trained_timed_and_plotted(tmp_path):
    folder = run_and_write("batch-size", tmp_path / "bs", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    runs = numbers["runs"]
    sizes = sorted(runs, key=int)
    assert len(sizes) >= 2 and int(sizes[-1]) >= 16 * int(sizes[0])
    for run in runs.values():
        assert run["epoch_seconds"] > 0 and run["step_ms"] > 0
        assert len(run["val_acc"]) == len(run["seconds"]) == 2
        assert all(0 <= acc <= 1 for acc in run["val_acc"])
        assert all(s > 0 for s in run["seconds"])
    assert (folder / "batch_size.png").is_file()
