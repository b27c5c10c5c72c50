"""MNIST's training-set pixel statistics (pixels scaled to [0, 1]): the one place the
normalization constants live (`data.transforms.dataset_stats` recomputes them)."""

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
