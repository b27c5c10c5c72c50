"""Sequential model: layers applied in order, backpropagation through them in reverse."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from braintank.errors import BraintankError
from braintank.scratch.activations import ACTIVATIONS
from braintank.scratch.dense import Dense, resolve_dtype
from braintank.scratch.dropout import Dropout
from braintank.scratch.layer import Layer


class Sequential:
    """A stack of layers; checks at construction that consecutive dense sizes agree."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = list(layers)
        _check_sizes(self.layers)
        dense = self.dense_layers()
        self.dtype = dense[0].dtype if dense else np.dtype(np.float64)
        if dense:
            # only dense layers have parameters, so nothing upstream of the first one needs
            # a gradient: skipping dL/dx there saves a third of that layer's backward work
            dense[0].needs_input_grad = False
        self.flat_params, self.flat_grads = _flatten(self.layers, self.dtype)

    def dense_layers(self) -> list[Dense]:
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    @property
    def in_features(self) -> int:
        return self.dense_layers()[0].in_features

    @property
    def out_features(self) -> int:
        return self.dense_layers()[-1].out_features

    def train(self, mode: bool = True) -> Sequential:
        for layer in self.layers:
            layer.training = mode
        return self

    def eval(self) -> Sequential:
        return self.train(False)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, grad: np.ndarray) -> None:
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
            if grad is None:
                return

    def params(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params()]

    def grads(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.grads()]

    def predict_scores(self, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Network outputs in evaluation mode, computed in chunks; a fresh array."""
        was_training = any(layer.training for layer in self.layers)
        self.eval()
        try:
            chunks = [self.forward(x[i:i + batch_size]).copy()
                      for i in range(0, len(x), batch_size)]
        finally:
            self.train(was_training)
        return np.concatenate(chunks) if chunks else np.empty((0, self.out_features))

    def predict(self, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Class indices (argmax of the outputs)."""
        return self.predict_scores(x, batch_size).argmax(axis=1)

    def spec(self) -> list[dict]:
        return [layer.spec() for layer in self.layers]

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential(\n  {inner}\n)"


def _flatten(layers: list[Layer], dtype) -> tuple[np.ndarray, np.ndarray]:
    """Move every parameter and gradient into one contiguous vector each, leaving views behind.

    An optimizer stepping the two flat vectors makes one pass per formula term over all
    weights instead of one per array: far fewer NumPy calls per mini-batch.
    """
    pairs = [(layer, p, g) for layer in layers
             for p, g in zip(layer.param_names, layer.grad_names, strict=True)]
    total = sum(getattr(layer, p).size for layer, p, _ in pairs)
    flat_params = np.empty(total, dtype=dtype)
    flat_grads = np.zeros(total, dtype=dtype)
    offset = 0
    for layer, p_name, g_name in pairs:
        old = getattr(layer, p_name)
        end = offset + old.size
        view = flat_params[offset:end].reshape(old.shape)
        view[...] = old
        setattr(layer, p_name, view)
        setattr(layer, g_name, flat_grads[offset:end].reshape(old.shape))
        offset = end
    return flat_params, flat_grads


def _check_sizes(layers: list[Layer]) -> None:
    previous: tuple[int, Dense] | None = None
    for index, layer in enumerate(layers):
        if not isinstance(layer, Dense):
            continue
        if previous is not None and previous[1].out_features != layer.in_features:
            raise BraintankError(
                f"layer {index} (dense {layer.in_features}->{layer.out_features}) expects "
                f"{layer.in_features} inputs but layer {previous[0]} outputs "
                f"{previous[1].out_features}")
        if previous is not None and previous[1].dtype != layer.dtype:
            raise BraintankError(f"layer {index} is {layer.dtype} but layer {previous[0]} "
                                 f"is {previous[1].dtype}; use one dtype")
        previous = (index, layer)


def mlp(sizes: Sequence[int], activation: str = "relu", init: str = "he_normal",
        dropout: float = 0.0, dtype="float32", seed: int | None = 0,
        output_activation: str | None = None) -> Sequential:
    """Dense layers of `sizes` with `activation` between them (and dropout after each hidden).

    The last dense layer outputs raw scores (logits) unless `output_activation` is given.
    """
    if len(sizes) < 2:
        raise BraintankError(f"an MLP needs at least input and output sizes, got {list(sizes)}")
    if activation not in ACTIVATIONS:
        raise BraintankError(f"unknown activation {activation!r} "
                             f"(known: {', '.join(ACTIVATIONS)})")
    resolve_dtype(dtype)
    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(Dense(n_in, n_out, init=init, dtype=dtype, rng=rng))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(Dropout(dropout, rng=rng))
    if output_activation is not None:
        layers.append(build_layer({"type": output_activation}))
    return Sequential(layers)


def build_layer(spec: dict, rng: np.random.Generator | None = None) -> Layer:
    """The layer that `spec` (from Layer.spec) describes; parameters start uninitialised."""
    kind = spec.get("type")
    if kind == "dense":
        return Dense(spec["in_features"], spec["out_features"], init="zeros",
                     dtype=spec.get("dtype", "float32"), rng=rng)
    if kind == "dropout":
        return Dropout(spec["p"], rng=rng)
    if kind == "threshold":
        return ACTIVATIONS["threshold"](spec.get("low", 0.0))
    if kind in ACTIVATIONS:
        return ACTIVATIONS[kind]()
    raise BraintankError(f"unknown layer type {kind!r} in model description")
