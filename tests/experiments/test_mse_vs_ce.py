"""mse-vs-ce: from a saturated bad start, cross-entropy learns fastest at once, MSE plateaus."""

import json

from braintank.experiments import run_and_write


def test_cross_entropy_has_no_slow_start(tmp_path):
    folder = run_and_write("mse-vs-ce", tmp_path / "mc", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    steepest = numbers["steepest_cost_drop_epoch"]["bad start (w=2, b=2)"]
    assert steepest["cross-entropy"] == 0          # fastest when most wrong
    assert steepest["quadratic"] > 100             # plateau first, then speeds up
    drop = numbers["bad_start_cost_drop_first_10_epochs"]
    assert drop["cross-entropy"] > 5 * drop["quadratic"]
    assert (folder / "mse_vs_ce.png").is_file()
