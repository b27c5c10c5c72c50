"""Optimizer trajectories against torch.optim over 25 steps in float64 (to 1e-6)."""

import numpy as np
import pytest
import torch

from braintank.errors import BraintankError
from braintank.scratch.optim import OPTIMIZERS, Nadam, make_optimizer

STEPS = 25
rng = np.random.default_rng(0)
A = rng.standard_normal((6, 4))
Y = rng.standard_normal((6, 3))


def gradients(w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of Σ log cosh(A w + b − Y): non-quadratic, so steps change direction."""
    r = np.tanh(A @ w + b - Y)
    return A.T @ r, r.sum(axis=0)


def start() -> list[np.ndarray]:
    local = np.random.default_rng(1)
    return [local.standard_normal((4, 3)), local.standard_normal(3)]


def scratch_trajectory(optimizer) -> list[list[np.ndarray]]:
    params, path = start(), []
    for _ in range(STEPS):
        optimizer.step(params, list(gradients(*params)))
        path.append([p.copy() for p in params])
    return path


def torch_trajectory(make) -> list[list[np.ndarray]]:
    params = [torch.tensor(p) for p in start()]
    optimizer, path = make(params), []
    for _ in range(STEPS):
        for p, g in zip(params, gradients(*(q.numpy() for q in params)), strict=True):
            p.grad = torch.tensor(g)
        optimizer.step()
        path.append([p.detach().numpy().copy() for p in params])
    return path


CASES = {
    "sgd": (lambda: make_optimizer("sgd", 0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    "sgd+l2": (lambda: make_optimizer("sgd", 0.05, weight_decay=0.1),
               lambda p: torch.optim.SGD(p, lr=0.05, weight_decay=0.1)),
    "momentum": (lambda: make_optimizer("momentum", 0.02, momentum=0.9),
                 lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9)),
    "nesterov": (lambda: make_optimizer("nesterov", 0.02, momentum=0.9),
                 lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True)),
    "nesterov+l2": (lambda: make_optimizer("nesterov", 0.02, weight_decay=0.05, momentum=0.8),
                    lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.8, nesterov=True,
                                              weight_decay=0.05)),
    "rprop": (lambda: make_optimizer("rprop", 0.05),
              lambda p: torch.optim.Rprop(p, lr=0.05)),
    "adagrad": (lambda: make_optimizer("adagrad", 0.1),
                lambda p: torch.optim.Adagrad(p, lr=0.1)),
    "rmsprop": (lambda: make_optimizer("rmsprop", 0.01, alpha=0.9),
                lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9)),
    "adam": (lambda: make_optimizer("adam", 0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    "adam+l2": (lambda: make_optimizer("adam", 0.05, weight_decay=0.01),
                lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.01)),
    "nadam(torch schedule)": (
        lambda: make_optimizer("nadam", 0.05, momentum_decay=0.004),
        lambda p: torch.optim.NAdam(p, lr=0.05)),
    "adadelta": (lambda: make_optimizer("adadelta", 1.0),
                 lambda p: torch.optim.Adadelta(p, lr=1.0)),
    "adadelta lr": (lambda: make_optimizer("adadelta", 0.5, rho=0.95),
                    lambda p: torch.optim.Adadelta(p, lr=0.5, rho=0.95)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_trajectory_matches_torch(name):
    ours, theirs = CASES[name]
    for step, (mine, ref) in enumerate(zip(scratch_trajectory(ours()),
                                           torch_trajectory(theirs), strict=True)):
        for a, b in zip(mine, ref, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-6, err_msg=f"step {step + 1}")


def test_trajectories_move():
    """Guards the comparison above against two optimizers that both do nothing."""
    for name in ("sgd", "rprop", "adadelta"):
        path = scratch_trajectory(CASES[name][0]())
        assert np.abs(path[-1][0] - start()[0]).max() > 1e-3


def test_nadam_course_formula():
    """Dozat/Ruder: w ← w − η/(√v̂+ε)·(β₁m̂ + (1−β₁)g/(1−β₁ᵗ)), written out independently."""
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    params = start()
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    reference = []
    for t in range(1, STEPS + 1):
        for i, g in enumerate(gradients(*params)):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g ** 2
            m_hat, v_hat = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
            params[i] = params[i] - lr / (np.sqrt(v_hat) + eps) * (
                b1 * m_hat + (1 - b1) * g / (1 - b1 ** t))
        reference.append([p.copy() for p in params])
    ours = scratch_trajectory(Nadam(lr=lr))
    for mine, ref in zip(ours, reference, strict=True):
        for a, b in zip(mine, ref, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_dict_round_trip_continues_identically(name):
    lr = 1.0 if name == "adadelta" else 0.02
    full = scratch_trajectory(make_optimizer(name, lr))
    first = make_optimizer(name, lr)
    params = start()
    for _ in range(10):
        first.step(params, list(gradients(*params)))
    resumed = make_optimizer(name, lr)
    resumed.load_state_dict(first.state_dict(), params)
    for _ in range(STEPS - 10):
        resumed.step(params, list(gradients(*params)))
    for a, b in zip(params, full[-1], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_bad_optimizer_settings_are_rejected():
    with pytest.raises(BraintankError, match="unknown optimizer 'lbfgs'"):
        make_optimizer("lbfgs", 0.1)
    with pytest.raises(BraintankError, match="learning rate must be > 0"):
        make_optimizer("adam", 0.0)
    with pytest.raises(BraintankError, match="momentum must be in"):
        make_optimizer("momentum", 0.1, momentum=1.5)
    with pytest.raises(BraintankError, match="optimizer 'sgd'"):
        make_optimizer("sgd", 0.1, momentum=0.9)
