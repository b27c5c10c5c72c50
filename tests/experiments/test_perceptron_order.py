"""perceptron-order: online counts depend on sample order; batch training is order-invariant."""

import json

from braintank.experiments import run_and_write


def test_online_depends_on_order_batch_does_not(tmp_path):
    folder = run_and_write("perceptron-order", tmp_path / "po", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    assert numbers["all_converged"]
    online = {tuple(pair) for pair in numbers["online_epochs_changes"]}
    batch = {tuple(pair) for pair in numbers["batch_epochs_changes"]}
    assert len(online) >= 3          # several different (epochs, changes) outcomes
    assert len(batch) == 1           # one outcome whatever the order
    assert numbers["batch_weight_spread"] < 1e-9
    assert (folder / "perceptron_order.png").is_file()
