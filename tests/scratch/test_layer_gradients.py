"""Every layer's backward against central finite differences and against torch autograd."""

import numpy as np
import pytest
import torch

from braintank.scratch import Dense, Dropout, Identity, ReLU, Sigmoid, Softmax, Tanh

ACTIVATION_CASES = {
    "identity": (Identity, lambda t: t),
    "sigmoid": (Sigmoid, torch.sigmoid),
    "tanh": (Tanh, torch.tanh),
    "relu": (ReLU, torch.relu),
    "softmax": (Softmax, lambda t: torch.softmax(t, dim=1)),
}


def random_shape(seed: int) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    return int(rng.integers(1, 9)), int(rng.integers(1, 12))


@pytest.mark.parametrize("name", sorted(ACTIVATION_CASES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_activation_gradient_matches_finite_differences(name, seed, numeric_grad):
    rng = np.random.default_rng(seed)
    layer = ACTIVATION_CASES[name][0]()
    x = rng.standard_normal(random_shape(seed))
    weights = rng.standard_normal(x.shape)

    def objective() -> float:
        return float((layer.forward(x) * weights).sum())

    expected = numeric_grad(objective, x)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(weights.copy()), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(ACTIVATION_CASES))
@pytest.mark.parametrize("seed", [3, 4])
def test_activation_matches_torch_autograd(name, seed):
    rng = np.random.default_rng(seed)
    cls, torch_fn = ACTIVATION_CASES[name]
    x = rng.standard_normal(random_shape(seed))
    weights = rng.standard_normal(x.shape)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch_fn(tx)
    (ty * torch.tensor(weights)).sum().backward()
    layer = cls()
    np.testing.assert_allclose(layer.forward(x), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.backward(weights), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_dense_gradients_match_finite_differences(seed, numeric_grad):
    rng = np.random.default_rng(seed)
    batch, n_in = random_shape(seed)
    n_out = int(rng.integers(1, 7))
    layer = Dense(n_in, n_out, init="xavier_normal", dtype="float64", rng=rng)
    layer.b[:] = rng.standard_normal(n_out)
    x = rng.standard_normal((batch, n_in))
    weights = rng.standard_normal((batch, n_out))

    def objective() -> float:
        return float((layer.forward(x) * weights).sum())

    expected = [numeric_grad(objective, a) for a in (x, layer.W, layer.b)]
    layer.forward(x)
    dx = layer.backward(weights)
    for got, want in zip((dx, layer.dW, layer.db), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", [5, 6])
def test_dense_matches_torch_linear(seed):
    rng = np.random.default_rng(seed)
    batch, n_in = random_shape(seed)
    layer = Dense(n_in, 4, dtype="float64", rng=rng)
    layer.b[:] = rng.standard_normal(4)
    x = rng.standard_normal((batch, n_in))
    weights = rng.standard_normal((batch, 4))
    linear = torch.nn.Linear(n_in, 4).double()
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(layer.W))
        linear.bias.copy_(torch.tensor(layer.b))
    tx = torch.tensor(x, requires_grad=True)
    (linear(tx) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(layer.forward(x), linear(tx).detach().numpy(), rtol=1e-12)
    dx = layer.backward(weights)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dW, linear.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.db, linear.bias.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_dropout_gradient_matches_finite_differences_for_a_fixed_mask(numeric_grad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 9))
    weights = rng.standard_normal(x.shape)
    layer = Dropout(0.3)

    def objective() -> float:
        layer.rng = np.random.default_rng(42)  # the same mask on every evaluation
        return float((layer.forward(x) * weights).sum())

    expected = numeric_grad(objective, x)
    objective()
    np.testing.assert_allclose(layer.backward(weights), expected, rtol=1e-6, atol=1e-8)


def test_dropout_is_inverted_and_off_in_evaluation():
    x = np.ones((2000, 50), dtype=np.float32)
    layer = Dropout(0.25, rng=np.random.default_rng(1))
    y = layer.forward(x)
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02
    layer.training = False
    assert layer.forward(x) is x


def test_float32_dense_stays_float32():
    layer = Dense(5, 3, dtype="float32", rng=np.random.default_rng(0))
    y = layer.forward(np.ones((4, 5), dtype=np.float32))
    assert y.dtype == np.float32
    assert layer.backward(np.ones((4, 3), dtype=np.float32)).dtype == np.float32
    assert layer.dW.dtype == np.float32
