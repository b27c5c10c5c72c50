"""Course 5's weight-initialization experiment: what each start does to a deep network's layers.

A 5-hidden-layer tanh network on real MNIST images, one forward and backward pass per
initialization: N(0, 1) weights push every layer's pre-activations far past ±1, so tanh
saturates at ±1 (more so the higher the layer) and σ' ≈ 0 kills the gradient; tiny weights
shrink the activations layer after layer towards 0 (and the gradients with them); Xavier
keeps both in range. With ReLU, He's doubled variance keeps the activation scale from layer
to layer where Xavier's halves it. A constant start leaves every hidden unit identical,
even after training.
"""

from __future__ import annotations

import numpy as np

from braintank.experiments.plotting import pyplot
from braintank.experiments.result import Comparison, ExperimentResult
from braintank.experiments.training import mnist
from braintank.scratch.activations import ReLU, Tanh
from braintank.scratch.dense import Dense
from braintank.scratch.losses import SoftmaxCrossEntropy
from braintank.scratch.model import Sequential, mlp
from braintank.scratch.optim import make_optimizer

TITLE = "Weight initialization: saturation, vanishing activations, symmetry"
N_HIDDEN = 5
SATURATED = 0.99  # |tanh| above this: σ' = 1 - a² < 0.02
TINY_STD = 0.01
TANH_INITS = {"N(0, 1)": "normal", f"tiny N(0, {TINY_STD}²)": "tiny", "Xavier": "xavier_normal"}
RELU_INITS = {"He": "he_normal", "Xavier": "xavier_normal"}


def deep_network(width: int, activation, init: str, seed: int = 0) -> Sequential:
    rng = np.random.default_rng(seed)
    sizes = [784] + [width] * N_HIDDEN
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        dense = Dense(n_in, n_out, init="normal" if init == "tiny" else init, dtype="float64",
                      rng=rng)
        if init == "tiny":
            dense.W *= TINY_STD
        layers += [dense, activation()]
    layers.append(Dense(width, 10, init="xavier_normal", dtype="float64", rng=rng))
    return Sequential(layers)


def layer_statistics(model: Sequential, x: np.ndarray, y: np.ndarray) -> dict[str, list]:
    """Each hidden layer's activations (a sample for the histogram), their std, the share
    saturated, and each hidden dense layer's weight-gradient norm after one backward pass."""
    model.train()
    activations = []
    h = x
    for layer in model.layers:
        h = layer.forward(h)
        if isinstance(layer, (Tanh, ReLU)):
            activations.append(h.copy())
    loss = SoftmaxCrossEntropy()
    loss.forward(h, y)
    model.backward(loss.backward())
    dense = model.dense_layers()[:N_HIDDEN]
    return {"std": [float(a.std()) for a in activations],
            "saturated": [float((np.abs(a) > SATURATED).mean()) for a in activations],
            "grad_norm": [float(np.linalg.norm(d.dW)) for d in dense],
            "sample": [a.ravel()[:20000] for a in activations]}


def symmetry_after_training(init: str, data: dict, steps: int) -> float:
    """Largest difference between two hidden units' incoming weights after `steps` of SGD."""
    model = mlp([784, 16, 10], "tanh", init, dtype="float64", seed=0)
    optimizer, loss = make_optimizer("sgd", 0.1), SoftmaxCrossEntropy()
    for step in range(steps):
        part = slice(step * 50 % 1000, step * 50 % 1000 + 50)
        loss.forward(model.forward(data["x_train"][part]), data["y_train"][part])
        model.backward(loss.backward())
        optimizer.step([model.flat_params], [model.flat_grads])
    w = model.dense_layers()[0].W
    return float(np.abs(w - w[0]).max())


def rising(values: list[float]) -> bool:
    return all(b >= a for a, b in zip(values, values[1:], strict=False))


def _histograms(stats: dict[str, dict], title: str):
    plt = pyplot()
    fig, axes = plt.subplots(len(stats), N_HIDDEN, figsize=(13, 2.1 * len(stats)),
                             squeeze=False)
    for row, (name, s) in zip(axes, stats.items(), strict=True):
        for i, ax in enumerate(row):
            counts, edges = np.histogram(s["sample"][i], bins=50)
            ax.stairs(counts, edges, fill=True)  # far cheaper than hist's 50 bar patches
            ax.set_yticks([])
            ax.set_title(f"{name}: layer {i + 1}", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def run(quick: bool = False, progress: bool = False) -> ExperimentResult:
    n_images, width = (300, 128) if quick else (2000, 512)
    data = mnist(1000, 10)
    x, y = data["x_train"][:n_images].astype(np.float64), data["y_train"][:n_images]
    tanh = {name: layer_statistics(deep_network(width, Tanh, init), x, y)
            for name, init in TANH_INITS.items()}
    relu = {name: layer_statistics(deep_network(width, ReLU, init), x, y)
            for name, init in RELU_INITS.items()}
    symmetry = {name: symmetry_after_training(name, data, 10 if quick else 200)
                for name in ("zeros", "constant", "xavier_normal")}
    numbers = {"n_images": n_images, "width": width, "symmetry_spread": symmetry,
               "tanh": {k: {m: v for m, v in s.items() if m != "sample"} for k, s in tanh.items()},
               "relu": {k: {m: v for m, v in s.items() if m != "sample"} for k, s in relu.items()}}
    big, tiny, xavier = (tanh[k] for k in TANH_INITS)
    pct = ", ".join
    comparisons = [
        Comparison("N(0, 1), tanh: share of activations at ±1 per layer",
                   "almost every activation at -1 or 1",
                   pct(f"{100 * v:.0f}%" for v in big["saturated"]),
                   min(big["saturated"]) > 0.8),
        Comparison("N(0, 1), tanh: saturation rising layer by layer", "rises from layer to layer",
                   "rises" if rising(big["saturated"]) else "highest in layer 1, then level",
                   rising(big["saturated"]),
                   "our inputs are standardized (std 1 over 784 pixels: z std ≈ 28 in layer 1) "
                   "while upper layers see ±1 from 128-512 units (z std ≈ 11-23)"),
        Comparison("tiny weights, tanh: activation std per layer",
                   "shrinking towards 0 in the upper layers",
                   pct(f"{v:.1e}" for v in tiny["std"]),
                   all(a > b for a, b in zip(tiny["std"], tiny["std"][1:], strict=False))),
        Comparison("Xavier, tanh: saturated share / std per layer",
                   "neither saturated nor vanishing",
                   pct(f"{100 * s:.1f}%/{v:.2f}" for s, v in zip(xavier["saturated"],
                                                             xavier["std"], strict=True)),
                   max(xavier["saturated"]) < 0.1 and min(xavier["std"]) > 0.1),
        Comparison("ReLU: activation std per layer, He vs Xavier",
                   "He keeps the scale, Xavier shrinks it",
                   "He " + pct(f"{v:.2f}" for v in relu["He"]["std"]) + "; Xavier " +
                   pct(f"{v:.2f}" for v in relu["Xavier"]["std"]),
                   relu["He"]["std"][-1] > 2 * relu["Xavier"]["std"][-1]),
        Comparison("constant / zero init: hidden units after training",
                   "all units of a layer keep identical weights",
                   f"max row difference: zeros {symmetry['zeros']:.1e}, constant "
                   f"{symmetry['constant']:.1e}, Xavier {symmetry['xavier_normal']:.2f}",
                   symmetry["zeros"] == 0 and symmetry["constant"] == 0
                   and symmetry["xavier_normal"] > 0.1),
    ]
    figures = {"init_tanh": _histograms(tanh, "tanh activations per layer"),
               "init_relu": _histograms(relu, "ReLU activations per layer")}
    notes = [f"{N_HIDDEN} hidden layers of {width} units on {n_images} MNIST training images; "
             "the seed's histograms are slides without numbers, so the comparison is of shape."]
    return ExperimentResult("init", TITLE, quick, numbers, comparisons, figures, notes)
