"""braintank.scratch: neural networks in NumPy alone, from the perceptron to a deep MLP.

No machine-learning framework is imported here (the one exception, `to_torch`, imports
PyTorch inside its function to hand a trained model to the PyTorch side).
"""

from braintank.scratch.activations import Identity, ReLU, Sigmoid, Softmax, Tanh, Threshold
from braintank.scratch.adaline import Adaline
from braintank.scratch.dense import Dense
from braintank.scratch.dropout import Dropout
from braintank.scratch.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    MSELoss,
    SoftmaxCrossEntropy,
)
from braintank.scratch.model import Sequential, mlp
from braintank.scratch.optim import make_optimizer
from braintank.scratch.perceptron import Perceptron
from braintank.scratch.serialize import load_model, save_model

__all__ = [
    "Adaline", "BinaryCrossEntropy", "CategoricalCrossEntropy", "Dense", "Dropout", "Identity",
    "MSELoss", "Perceptron", "ReLU", "Sequential", "Sigmoid", "Softmax", "SoftmaxCrossEntropy",
    "Tanh", "Threshold", "load_model", "make_optimizer", "mlp", "save_model",
]
