"""The seeds' worked examples: their published numbers, and the same training in torch."""

import numpy as np
import pytest
import torch

from braintank.scratch import mlp
from braintank.scratch.demos import line_fit, two_eight_one, xor


def test_line_fit_one_step_matches_seed_003():
    result = line_fit(m=-1, b=5, data=((1, 3), (2, 5)), lr=0.1, steps=1)
    assert result["m"] == pytest.approx(-0.7, abs=1e-12)
    assert result["b"] == pytest.approx(5.1, abs=1e-12)
    assert result["mse_before"] == pytest.approx(2.5)
    assert round(result["rmse_before"], 1) == 1.6


def test_line_fit_converges_to_the_line_through_both_points():
    result = line_fit(steps=2000, lr=0.1)
    assert (result["m"], result["b"]) == (pytest.approx(2.0, abs=1e-6), pytest.approx(1.0,
                                                                                       abs=1e-6))


def test_two_eight_one_matches_torch_and_separates_the_samples():
    epochs = 300
    result = two_eight_one(epochs=epochs, lr=0.01, seed=0)
    fresh = mlp([2, 8, 1], activation="relu", dtype="float64", seed=0,
                output_activation="sigmoid")
    w1, b1, w2, b2 = (torch.tensor(p, requires_grad=True) for p in fresh.params())
    x = torch.tensor([[0.9, -0.2], [0.75, 0.6]], dtype=torch.float64)
    y = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    optimizer = torch.optim.SGD([w1, b1, w2, b2], lr=0.01)
    torch_losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        p = torch.sigmoid(torch.relu(x @ w1.T + b1) @ w2.T + b2)
        loss = torch.nn.functional.binary_cross_entropy(p, y, reduction="sum") / 2
        loss.backward()
        optimizer.step()
        torch_losses.append(loss.item())
    np.testing.assert_allclose(result["losses"], torch_losses, rtol=1e-9)
    trained = two_eight_one(epochs=1000)
    p_d1, p_d2 = trained["probabilities"]
    assert p_d1 < 0.5 < p_d2
    assert trained["losses"][-1] < trained["losses"][0] / 2


@pytest.mark.parametrize("seed", range(5))
def test_xor_is_learned_by_one_hidden_layer(seed):
    assert xor(seed=seed)["predictions"] == [0, 1, 1, 0]
