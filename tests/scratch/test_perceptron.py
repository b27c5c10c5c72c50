"""Perceptron (online, batch, mini-batch, parallel) and Adaline on separable data and MNIST."""

import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.scratch.adaline import Adaline
from braintank.scratch.perceptron import Perceptron


def separable(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two clouds on either side of x - 4y + 3 = 0 (course 2's line), margin 0.5."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-10, 10, (n * 3, 2))
    distance = (x @ np.array([1.0, -4.0]) + 3) / np.sqrt(17)
    keep = np.abs(distance) > 0.5
    return x[keep][:n], np.where(distance[keep][:n] > 0, 1, -1)


@pytest.mark.parametrize("mode", ["online", "batch", "minibatch", "parallel"])
def test_perceptron_converges_on_separable_data(mode):
    x, y = separable()
    model = Perceptron(lr=0.1, mode=mode, batch_size=16, max_epochs=5000).fit(x, y)
    assert model.converged_
    assert model.errors_[-1] == 0 and len(model.errors_) == model.epochs_
    assert model.changes_ >= 1
    assert model.score(x, y) == 1.0


def test_online_changes_count_every_correction():
    x, y = separable(seed=1)
    model = Perceptron(lr=0.1, mode="online", max_epochs=5000).fit(x, y)
    assert model.changes_ == sum(model.errors_)


def test_shuffles_change_epochs_and_changes():
    """Course 2: different orders of the same data take different numbers of epochs."""
    x, y = separable(seed=2)
    runs = {(m.epochs_, m.changes_) for m in
            (Perceptron(lr=0.1, max_epochs=5000, seed=s).fit(x, y) for s in range(4))}
    assert len(runs) > 1


@pytest.mark.parametrize("backend", ["threads", "processes"])
def test_parallel_shards_equal_batch_training(backend):
    x, y = separable(seed=3)
    batch = Perceptron(lr=0.1, mode="batch", max_epochs=50, shuffle=False).fit(x, y)
    parallel = Perceptron(lr=0.1, mode="parallel", n_jobs=3, backend=backend,
                          max_epochs=50, shuffle=False).fit(x, y)
    np.testing.assert_allclose(parallel.weights_, batch.weights_, rtol=1e-12)
    assert (parallel.epochs_, parallel.changes_) == (batch.epochs_, batch.changes_)


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_adaline_separates_and_its_loss_falls(mode):
    x, y = separable(seed=4)
    x = x / 10
    model = Adaline(lr=0.01 if mode == "online" else 0.5, mode=mode, max_epochs=300).fit(x, y)
    assert model.losses_[-1] < model.losses_[0]
    assert model.score(x, y) > 0.97


def test_bad_perceptron_settings():
    x, y = separable(20)
    with pytest.raises(BraintankError, match="unknown perceptron mode"):
        Perceptron(mode="async").fit(x, y)
    with pytest.raises(BraintankError, match="labels must be"):
        Perceptron().fit(x, y * 3)
    with pytest.raises(BraintankError, match="unknown Adaline mode"):
        Adaline(mode="parallel").fit(x, y)


def test_mnist_is_it_a_zero(mnist):
    from braintank.scratch.demos import mnist_one_vs_rest

    result = mnist_one_vs_rest(digit=0, epochs=5, images=mnist)
    assert result["test_accuracy"] > 0.98  # all-"not 0" would score 0.902
    assert result["epochs"] == 5 and result["changes"] >= 1
