"""Sequential model: whole-network backprop, size checks, initializers, bad input."""

import numpy as np
import pytest
import torch

from braintank.errors import BraintankError
from braintank.scratch import Dense, ReLU, Sequential, SoftmaxCrossEntropy, mlp
from braintank.scratch.initializers import INITIALIZERS, get_initializer


def test_whole_network_gradients_match_finite_differences(numeric_grad):
    rng = np.random.default_rng(0)
    model = mlp([4, 6, 5, 3], activation="tanh", init="xavier_normal", dtype="float64", seed=1)
    x, labels = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    loss = SoftmaxCrossEntropy()

    def objective() -> float:
        return loss.forward(model.forward(x), labels)

    expected = [numeric_grad(objective, p) for p in model.params()]
    objective()
    model.backward(loss.backward())
    for got, want in zip(model.grads(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)


def test_whole_network_gradients_match_torch():
    rng = np.random.default_rng(2)
    model = mlp([7, 9, 4], activation="relu", dtype="float64", seed=3)
    x, labels = rng.standard_normal((16, 7)), rng.integers(0, 4, 16)
    torch_params = [torch.tensor(p, requires_grad=True) for p in model.params()]
    w1, b1, w2, b2 = torch_params
    logits = torch.relu(torch.tensor(x) @ w1.T + b1) @ w2.T + b2
    torch.nn.functional.cross_entropy(logits, torch.tensor(labels)).backward()
    loss = SoftmaxCrossEntropy()
    loss.forward(model.forward(x), labels)
    model.backward(loss.backward())
    for got, want in zip(model.grads(), torch_params, strict=True):
        np.testing.assert_allclose(got, want.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mismatched_layer_sizes_are_rejected():
    with pytest.raises(BraintankError, match="expects 50 inputs but layer 0 outputs 40"):
        Sequential([Dense(10, 40), ReLU(), Dense(50, 3)])


def test_wrong_input_width_is_rejected():
    model = mlp([784, 10, 10])
    with pytest.raises(BraintankError, match=r"got input of shape \(2, 100\)"):
        model.forward(np.zeros((2, 100), dtype=np.float32))


def test_unknown_names_are_rejected():
    with pytest.raises(BraintankError, match="unknown initializer 'gauss'"):
        get_initializer("gauss")
    with pytest.raises(BraintankError, match="unknown activation 'swish'"):
        mlp([2, 3, 1], activation="swish")
    with pytest.raises(BraintankError, match="unsupported dtype"):
        mlp([2, 3, 1], dtype="float16")


@pytest.mark.parametrize("name, std", [
    ("lecun_normal", np.sqrt(1 / 400)), ("xavier_normal", np.sqrt(2 / 600)),
    ("he_normal", np.sqrt(2 / 400)), ("lecun_uniform", np.sqrt(1 / 400)),
    ("xavier_uniform", np.sqrt(2 / 600)), ("he_uniform", np.sqrt(2 / 400)),
    ("normal", 1.0),
])
def test_initializer_variances(name, std):
    w = INITIALIZERS[name]((200, 400), np.random.default_rng(0), np.float64)
    assert abs(w.mean()) < 0.02 * std * 10
    assert w.std() == pytest.approx(std, rel=0.02)


def test_constant_init_leaves_hidden_units_identical():
    """Course 5's symmetry problem: identical units get identical gradients forever."""
    rng = np.random.default_rng(0)
    model = mlp([3, 4, 2], activation="sigmoid", init="constant", dtype="float64")
    loss = SoftmaxCrossEntropy()
    for _ in range(5):
        loss.forward(model.forward(rng.standard_normal((8, 3))), rng.integers(0, 2, 8))
        model.backward(loss.backward())
        for p, g in zip(model.params(), model.grads(), strict=True):
            p -= 0.5 * g
    hidden = model.layers[0].W
    np.testing.assert_allclose(hidden, np.broadcast_to(hidden[0], hidden.shape))


def test_predict_restores_training_mode_and_returns_classes():
    model = mlp([5, 8, 3], dropout=0.5, seed=0)
    x = np.random.default_rng(0).standard_normal((10, 5)).astype(np.float32)
    first, second = model.predict_scores(x), model.predict_scores(x)
    np.testing.assert_array_equal(first, second)  # dropout is off while predicting
    assert all(layer.training for layer in model.layers)
    assert model.predict(x).shape == (10,)


def test_parameters_are_views_into_one_flat_vector():
    model = mlp([6, 5, 3], seed=0)
    sizes = [p.size for p in model.params()]
    assert model.flat_params.size == sum(sizes) == 6 * 5 + 5 + 5 * 3 + 3
    model.flat_params[:] = 0.25
    assert all((p == 0.25).all() for p in model.params())
    x = np.ones((4, 6), dtype=np.float32)
    model.forward(x)
    model.backward(np.ones((4, 3), dtype=np.float32))
    np.testing.assert_array_equal(np.concatenate([g.ravel() for g in model.grads()]),
                                  model.flat_grads)
