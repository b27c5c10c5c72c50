"""MNIST-family data: IDX files, the dataset registry, splits, in-memory loading, augmentation."""

from braintank.data.datasets import load_split
from braintank.data.registry import DATASETS, get_spec

__all__ = ["DATASETS", "get_spec", "load_split"]
