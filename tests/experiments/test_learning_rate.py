"""learning-rate: the x10 search finds rates that learn below a threshold that does not,
and the refined choice sits below it."""

import json
import math

from braintank.experiments import run_and_write
from braintank.experiments.learning_rate import oscillates


def test_oscillation_rule():
    assert not oscillates([2.0, 1.5, 1.2, 1.0, 0.9])
    assert oscillates([2.0, 1.0, 2.5, 0.9, 3.0])           # up as often as down
    assert oscillates([2.0, 1.0, math.inf])                # diverged
    assert oscillates([20.0, 5.0, 2.30])                   # overshot, then stuck at chance
    assert not oscillates([2.35, 2.30, 2.25])              # slow, but learning


def test_threshold_search(tmp_path):
    folder = run_and_write("learning-rate", tmp_path / "lr", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    tried, threshold = numbers["tried_x10"], numbers["threshold"]
    assert tried[-1] == threshold and len(tried) >= 3
    learned = [lr for lr in tried[:-1]]
    assert all(numbers["final_cost"][str(lr)] < 2.0 for lr in learned[1:])
    assert numbers["chosen"] < numbers["refined_threshold"] <= threshold
    assert (folder / "learning_rate.png").is_file()
