"""The shape rules: two marks side by side, a dash and a too-wide mark are not one digit,
on part boxes and on real images through the one preprocessing path."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.data import load_split
from braintank.data.render import render_digit
from braintank.imaging.preprocess import to_mnist
from braintank.inference.marks import DASH, TOO_WIDE, TWO_MARKS, shape_doubt, side_by_side


def test_side_by_side_needs_little_horizontal_overlap():
    assert side_by_side([(0, 0, 10, 30), (14, 0, 30, 30)])          # "10"
    assert not side_by_side([(0, 0, 20, 10), (2, 12, 18, 30)])      # bar above a 5's belly
    assert not side_by_side([(0, 0, 10, 30), (6, 0, 20, 30)])       # 40% of 10 overlap
    assert side_by_side([(0, 0, 10, 30), (8, 0, 20, 30)])           # 20% overlap


@pytest.mark.parametrize(("parts", "reason"), [
    ([], ""),
    ([(0, 0, 20, 28, 100.0)], ""),
    ([(0, 0, 10, 28, 50.0), (15, 0, 35, 28, 80.0)], TWO_MARKS),
    ([(0, 0, 10, 28, 50.0), (15, 0, 18, 3, 2.0)], ""),             # a speck is no second mark
    ([(0, 10, 60, 16, 50.0)], DASH),
    ([(0, 0, 40, 20, 50.0)], TOO_WIDE),
])
def test_shape_doubt(parts, reason):
    assert shape_doubt(parts) == reason


@pytest.fixture(scope="module")
def mnist_test(mnist_dir):
    return load_split("mnist", "test", mnist_dir.parent)


def _page(ink: np.ndarray, seed: int) -> np.ndarray:
    return render_digit(ink, canvas=(240, 320), scale=4.0, seed=seed)


def test_ten_written_apart_and_a_dash_on_paper_are_doubted(mnist_test):
    images, labels = mnist_test
    one = images[np.flatnonzero(labels == 1)[0]]
    zero = images[np.flatnonzero(labels == 0)[0]]
    ten = np.concatenate([one[:, 4:24], zero[:, 2:26]], axis=1)
    assert shape_doubt(to_mnist(_page(ten, 1)).parts) in (TWO_MARKS, TOO_WIDE)
    dash = np.zeros((28, 28), np.uint8)
    dash[13:16, 2:26] = 255
    assert shape_doubt(to_mnist(_page(dash, 2)).parts) == DASH


def test_mnist_digits_on_paper_are_rarely_doubted(mnist_test):
    images, _ = mnist_test
    doubted = sum(bool(shape_doubt(to_mnist(_page(images[i], i)).parts))
                  for i in range(0, 10000, 25))
    assert doubted <= 2  # of 400 (measured: 4 of 2,000 over the whole test set)
