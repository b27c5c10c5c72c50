"""Inference input path: load image files or arrays and turn them into MNIST-style 28x28 digits.

`braintank.inference.images` reads files and arrays as grey [0, 1]; `braintank.inference.preprocess`
converts a grey digit image the way MNIST itself was made (`to_mnist`).
"""
