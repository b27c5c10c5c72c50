"""The seeds' worked examples, run with the scratch engine (`python -m braintank.scratch.demos`).

- y = mx + b by gradient descent (seed 003): m = -1, b = 5 on (1,3), (2,5), λ = 0.1
  gives m = -0.7, b = 5.1 after one step.
- The 2-8-1 binary classifier of seed 001: SGD lr 0.01, binary cross-entropy,
  d1 = [0.9, -0.2] -> 0, d2 = [0.75, 0.6] -> 1.
- XOR, which no single perceptron can learn, by one hidden layer.
- "Is it a 0?": a perceptron one-vs-rest on MNIST (course 2).
"""

from __future__ import annotations

import numpy as np

from braintank.data import load_split
from braintank.scratch.dense import Dense
from braintank.scratch.losses import BinaryCrossEntropy, MSELoss
from braintank.scratch.model import Sequential, mlp
from braintank.scratch.optim import SGD, Adam, Optimizer
from braintank.scratch.perceptron import Perceptron


def line_fit(m: float = -1.0, b: float = 5.0, data=((1, 3), (2, 5)), lr: float = 0.1,
             steps: int = 1) -> dict:
    """Fit y = mx + b with a 1->1 dense layer, plain MSE and SGD; seed 003's numbers."""
    layer = Dense(1, 1, dtype="float64")
    layer.W[...] = m
    layer.b[...] = b
    model = Sequential([layer])
    x = np.array([[d[0]] for d in data], dtype=np.float64)
    y = np.array([[d[1]] for d in data], dtype=np.float64)
    loss, optimizer = MSELoss(half=False), SGD(lr=lr)
    mse_before = loss.forward(model.forward(x), y)
    for _ in range(steps):
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        optimizer.step(model.params(), model.grads())
    return {"m": float(layer.W[0, 0]), "b": float(layer.b[0]), "mse_before": mse_before,
            "rmse_before": float(np.sqrt(mse_before)),
            "mse_after": loss.forward(model.forward(x), y)}


def _fit_binary(model: Sequential, optimizer: Optimizer, x: np.ndarray, y: np.ndarray,
                epochs: int) -> list[float]:
    loss, history = BinaryCrossEntropy(), []
    for _ in range(epochs):
        history.append(loss.forward(model.forward(x), y))
        model.backward(loss.backward())
        optimizer.step(model.params(), model.grads())
    return history


def two_eight_one(epochs: int = 1000, lr: float = 0.01, seed: int = 0) -> dict:
    """Seed 001's 2-8-1 network (ReLU hidden, sigmoid output) on its two samples."""
    x = np.array([[0.9, -0.2], [0.75, 0.6]])
    y = np.array([[0.0], [1.0]])
    model = mlp([2, 8, 1], activation="relu", init="he_normal", dtype="float64", seed=seed,
                output_activation="sigmoid")
    losses = _fit_binary(model, SGD(lr=lr), x, y, epochs)
    return {"model": model, "losses": losses,
            "probabilities": model.predict_scores(x)[:, 0].tolist()}


def xor(hidden: int = 8, epochs: int = 500, lr: float = 0.05, seed: int = 0) -> dict:
    """XOR by a 2-hidden-1 tanh network trained with Adam on the four points."""
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    model = mlp([2, hidden, 1], activation="tanh", init="xavier_normal", dtype="float64",
                seed=seed, output_activation="sigmoid")
    losses = _fit_binary(model, Adam(lr=lr), x, y, epochs)
    probabilities = model.predict_scores(x)[:, 0]
    return {"losses": losses, "probabilities": probabilities.tolist(),
            "predictions": (probabilities > 0.5).astype(int).tolist()}


def mnist_one_vs_rest(digit: int = 0, epochs: int = 5, mode: str = "minibatch",
                      batch_size: int = 64, images: dict | None = None) -> dict:
    """Perceptron answering "is it a `digit`?" on MNIST pixels/255; test-set scores."""
    if images is None:
        (tr_x, tr_y), (te_x, te_y) = load_split("mnist", "train"), load_split("mnist", "test")
    else:
        tr_x, tr_y = images["train_images"], images["train_labels"]
        te_x, te_y = images["test_images"], images["test_labels"]
    train_x = tr_x.reshape(len(tr_x), -1) / 255.0
    test_x = te_x.reshape(len(te_x), -1) / 255.0
    model = Perceptron(lr=1.0, mode=mode, batch_size=batch_size, max_epochs=epochs)
    model.fit(train_x, tr_y == digit)
    predicted = model.predict(test_x) == 1
    actual = te_y == digit
    true_pos = int((predicted & actual).sum())
    return {"digit": digit, "epochs": model.epochs_, "changes": model.changes_,
            "train_mistakes_per_epoch": model.errors_,
            "test_accuracy": float((predicted == actual).mean()),
            "precision": true_pos / max(int(predicted.sum()), 1),
            "recall": true_pos / max(int(actual.sum()), 1)}


def main() -> None:
    line = line_fit()
    print(f"y = mx + b, one step of lr 0.1 from m=-1, b=5: m={line['m']:.2f} b={line['b']:.2f}"
          f" (MSE {line['mse_before']:.2f} -> {line['mse_after']:.4f})")
    net = two_eight_one()
    print(f"2-8-1 classifier: loss {net['losses'][0]:.4f} -> {net['losses'][-1]:.4f}, "
          f"p(d1)={net['probabilities'][0]:.3f} p(d2)={net['probabilities'][1]:.3f}")
    print(f"XOR: predictions {xor()['predictions']} (target [0, 1, 1, 0])")
    zero = mnist_one_vs_rest()
    print(f"MNIST 'is it a 0?' perceptron: test accuracy {zero['test_accuracy']:.4f}, "
          f"precision {zero['precision']:.3f}, recall {zero['recall']:.3f}, "
          f"{zero['changes']} weight changes in {zero['epochs']} epochs")


if __name__ == "__main__":
    main()
