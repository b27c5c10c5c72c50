"""gradient-descent: the seed's worked step, divergence at λ = 2, convergence at λ = 0.1."""

import json

from braintank.experiments import run_and_write


def test_reproduces_seed_step_and_step_size_regimes(tmp_path):
    folder = run_and_write("gradient-descent", tmp_path / "gd", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    assert numbers["initial_gradient"] == [-3.0, -1.0]
    assert [round(v, 9) for v in numbers["first_step_lr_0.1"]] == [-0.7, 5.1]
    final = numbers["final_loss"]
    assert final["2.0"] > numbers["initial_loss"] * 1e3      # overshoots and diverges
    assert final["0.1"] < 1e-6                                # reaches y = 2x + 1
    assert final["0.1"] < final["0.01"] < numbers["initial_loss"]  # small λ: slower
    assert (folder / "gradient_descent.png").stat().st_size > 1000
    assert "| one step, λ = 0.1 |" in (folder / "summary.md").read_text()
