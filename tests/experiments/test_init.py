"""init: N(0,1) saturates tanh, tiny weights vanish, Xavier neither; He keeps ReLU's scale;
constant and zero starts keep hidden units identical."""

import json

from braintank.experiments import run_and_write


def test_initializations_show_the_course_shapes(tmp_path):
    folder = run_and_write("init", tmp_path / "init", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    tanh = numbers["tanh"]
    big, tiny, xavier = tanh["N(0, 1)"], tanh["tiny N(0, 0.01²)"], tanh["Xavier"]
    assert min(big["saturated"]) > 0.8                    # tanh pinned at ±1
    assert max(xavier["saturated"]) < 0.1                 # Xavier layers not saturated
    assert min(xavier["std"]) > 0.1                       # ...nor vanishing
    assert tiny["std"][-1] < 0.01 * tiny["std"][0]        # tiny weights: activations vanish
    assert tiny["grad_norm"][0] < 0.01 * xavier["grad_norm"][0]  # and so does the gradient
    relu = numbers["relu"]
    assert relu["He"]["std"][-1] > 2 * relu["Xavier"]["std"][-1]
    symmetry = numbers["symmetry_spread"]
    assert symmetry["zeros"] == 0 and symmetry["constant"] == 0
    assert symmetry["xavier_normal"] > 0.1
    assert (folder / "init_tanh.png").is_file() and (folder / "init_relu.png").is_file()
