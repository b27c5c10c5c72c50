"""overfitting: on few images the network memorizes (100% train), the test cost turns up,
and the train/test gap is larger than on ten times the data."""

import json

from braintank.experiments import run_and_write


def test_small_data_memorizes_and_gap_is_larger(tmp_path):
    folder = run_and_write("overfitting", tmp_path / "of", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    small, large = numbers["small"], numbers["large"]
    assert small["final_train_acc"] == 1.0
    assert small["test_loss_rise"] > 0.02          # test cost rises after its minimum
    assert small["gap"] > 0.1
    assert small["gap"] > 2 * large["gap"]
    assert (folder / "overfitting.png").is_file()
