"""regularization: L2 and early stopping keep the small-data test cost below the unregularized
run's; every variant is measured and reported beside the unregularized baseline."""

import json

from braintank.experiments import run_and_write


def test_l2_and_early_stopping_curb_the_test_cost(tmp_path):
    folder = run_and_write("regularization", tmp_path / "reg", quick=True)
    result = json.loads((folder / "result.json").read_text())
    small = result["numbers"]["small"]
    none = small["none"]
    assert small["L2"]["final_test_loss"] < none["final_test_loss"]
    assert small["L2"]["test_loss_rise"] < none["test_loss_rise"]
    assert small["early stopping"]["epochs_run"] < none["epochs_run"]
    assert small["early stopping"]["final_test_loss"] < none["final_test_loss"]
    assert len(result["comparisons"]) == 5
    assert (folder / "regularization.png").is_file()
