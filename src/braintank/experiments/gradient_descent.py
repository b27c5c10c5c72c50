"""Course 3's gradient descent on y = mx + b: two points, the loss surface, three step sizes.

The seed fits (1, 3) and (2, 5) from m = -1, b = 5 with MSE = ½[(3-(m+b))² + (5-(2m+b))²],
whose gradient there is (-3, -1); one step of λ = 0.1 lands on (-0.7, 5.1). Its Hessian
[[5, 3], [3, 2]] has eigenvalues 6.85 and 0.146, so any λ > 2/6.85 ≈ 0.29 overshoots more
each step (λ = 2 diverges) and a small λ crawls along the flat valley.
"""

from __future__ import annotations

import numpy as np

from braintank.experiments.plotting import pyplot
from braintank.experiments.result import Comparison, ExperimentResult

TITLE = "Gradient descent on y = mx + b"
X = np.array([1.0, 2.0])
Y = np.array([3.0, 5.0])
START = (-1.0, 5.0)
RATES = (2.0, 0.1, 0.01)


def loss(m, b):
    """The seed's MSE (with n = 2): works on scalars and on grids."""
    m, b = np.asarray(m, dtype=float), np.asarray(b, dtype=float)
    shape = (len(X),) + (1,) * m.ndim  # one slice per data point, broadcast over m and b
    residuals = Y.reshape(shape) - (m * X.reshape(shape) + b)
    return 0.5 * (residuals ** 2).sum(axis=0)


def gradient(m: float, b: float) -> tuple[float, float]:
    """(∂/∂m, ∂/∂b) = (5m + 3b - 13, 3m + 2b - 8), as the seed derives."""
    r = Y - (m * X + b)
    return float(-(r * X).sum()), float(-r.sum())


def descend(lr: float, steps: int) -> np.ndarray:
    """The path [(m, b), ...] of `steps` updates from START (stops early once it explodes)."""
    path = [START]
    m, b = START
    for _ in range(steps):
        dm, db = gradient(m, b)
        m, b = m - lr * dm, b - lr * db
        path.append((m, b))
        if abs(m) + abs(b) > 1e6:
            break
    return np.array(path)


def _figure(paths: dict[float, np.ndarray]):
    plt = pyplot()
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.2))
    m, b = np.meshgrid(np.linspace(-3, 6, 200), np.linspace(-4, 9, 200))
    ax.contour(m, b, loss(m, b), levels=np.geomspace(0.05, 400, 18), cmap="viridis",
               linewidths=0.8)
    for lr, path in paths.items():
        shown = path[:12] if lr >= 1 else path
        ax.plot(shown[:, 0], shown[:, 1], "o-", ms=2.5, lw=1, label=f"λ = {lr}")
        ax_loss.semilogy(loss(path[:, 0], path[:, 1]), label=f"λ = {lr}")
    ax.plot(*START, "k*", ms=10)
    ax.plot(2, 1, "rx", ms=10)
    ax.set(xlim=(-3, 6), ylim=(-4, 9), xlabel="m", ylabel="b",
           title="loss surface and paths (* start, x minimum)")
    ax.legend(fontsize=8)
    ax_loss.set(xlabel="step", ylabel="MSE", title="loss per step", ylim=(1e-8, 1e6))
    ax_loss.legend(fontsize=8)
    fig.tight_layout()
    return fig


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    steps = 1000 if quick else 3000
    paths = {lr: descend(lr, steps) for lr in RATES}
    final = {lr: float(loss(*paths[lr][-1])) for lr in RATES}
    first = paths[0.1][1]
    g0 = gradient(*START)
    numbers = {"steps": steps, "start": START, "initial_loss": float(loss(*START)),
               "initial_gradient": g0, "first_step_lr_0.1": first.tolist(),
               "final_loss": {str(lr): final[lr] for lr in RATES},
               "final_point": {str(lr): paths[lr][-1].tolist() for lr in RATES},
               "steps_run": {str(lr): len(paths[lr]) - 1 for lr in RATES}}
    comparisons = [
        Comparison("gradient at (-1, 5)", "(-3, -1)", f"({g0[0]:g}, {g0[1]:g})",
                   g0 == (-3.0, -1.0)),
        Comparison("one step, λ = 0.1", "m = -0.7, b = 5.1",
                   f"m = {first[0]:.4g}, b = {first[1]:.4g}",
                   bool(np.allclose(first, (-0.7, 5.1)))),
        Comparison("λ = 2", "overshoots (drawn jumping across the valley)",
                   f"loss {final[2.0]:.3g} after {len(paths[2.0]) - 1} steps (diverges)",
                   final[2.0] > loss(*START), "2 > 2/6.85: every step overshoots further"),
        Comparison("λ = 0.1", "walks down to the minimum", f"loss {final[0.1]:.2g} after "
                   f"{steps} steps, at ({paths[0.1][-1][0]:.3f}, {paths[0.1][-1][1]:.3f})",
                   final[0.1] < 1e-3, "the exact fit is y = 2x + 1"),
        Comparison("λ = 0.01", "slow (small steps)", f"loss {final[0.01]:.3g} after {steps} steps",
                   final[0.01] > final[0.1], "the flat direction shrinks by only 0.15% a step"),
    ]
    return ExperimentResult("gradient-descent", TITLE, quick, numbers, comparisons,
                            {"gradient_descent": _figure(paths)})
