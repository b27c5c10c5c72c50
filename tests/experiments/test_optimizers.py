"""optimizers: all nine train the same network; momentum and Nesterov beat plain SGD along
the elongated 2-weight valley."""

import json

from braintank.experiments import run_and_write


def test_all_learn_and_momentum_crosses_the_valley(tmp_path):
    folder = run_and_write("optimizers", tmp_path / "opt", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    assert len(numbers["final"]) == 9
    assert all(v["test_acc"] > 0.5 for v in numbers["final"].values())
    toy = numbers["toy_final_loss"]
    assert toy["momentum"] < toy["sgd"] / 5
    assert toy["nesterov"] < toy["sgd"] / 5
    assert all(toy[name] < numbers["toy_start_loss"] / 10
               for name in ("adam", "rmsprop", "nadam", "adagrad", "rprop"))
    for name in ("optimizers_mnist", "optimizers_rprop", "optimizers_toy"):
        assert (folder / f"{name}.png").is_file()
