"""Stroke-drawn digits: every convention draws an MNIST-framed digit, reproducibly."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.data.stroke_digits import STYLES, draw_digit, draw_digits

ALL_STYLES = [(digit, name) for digit, names in STYLES.items() for name in names]


@pytest.mark.parametrize(("digit", "style"), ALL_STYLES)
def test_every_convention_draws_a_framed_digit(digit, style):
    rng = np.random.default_rng(digit * 100 + len(style))
    for _ in range(20):
        image = draw_digit(digit, style, rng)
        assert image.shape == (28, 28) and image.dtype == np.float32
        assert 0.0 <= image.min() and image.max() <= 1.0 and image.max() > 0.9
        ys, xs = np.nonzero(image > 0.1)
        # MNIST's framing: the longer side 20 px (+ anti-aliased edge), mass at the centre
        assert 18 <= max(ys.max() - ys.min(), xs.max() - xs.min()) + 1 <= 22
        total = image.sum()
        centre = (image.sum(1) @ np.arange(28) / total, image.sum(0) @ np.arange(28) / total)
        assert abs(centre[0] - 14) < 1.5 and abs(centre[1] - 14) < 1.5


def test_every_class_has_a_convention_and_mnist_lacks_some():
    assert sorted(STYLES) == list(range(10))
    # the conventions the issue names as missing from MNIST are there
    for digit, name in ((4, "hooked"), (4, "open"), (6, "flat-top"), (7, "crossed"),
                        (9, "g"), (1, "long-flag"), (3, "flat-top"), (2, "loop")):
        assert name in STYLES[digit]


def test_same_seed_same_digits_and_styles_can_be_limited():
    a, la = draw_digits(50, np.random.default_rng(3))
    b, lb = draw_digits(50, np.random.default_rng(3))
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    c, _ = draw_digits(50, np.random.default_rng(4))
    assert not np.array_equal(a, c)
    assert set(np.unique(la)) == set(range(10)) or len(np.unique(la)) >= 8
    only = {d: (next(iter(STYLES[d])),) for d in STYLES}
    images, labels = draw_digits(30, np.random.default_rng(5), only)
    assert images.shape == (30, 28, 28) and labels.dtype == np.int64


def test_conventions_differ_in_shape():
    """A hooked 4 is not a closed 4 redrawn: their mean images differ clearly."""
    rng = np.random.default_rng(0)
    hooked = np.mean([draw_digit(4, "hooked", rng) for _ in range(50)], axis=0)
    closed = np.mean([draw_digit(4, "closed", rng) for _ in range(50)], axis=0)
    assert np.abs(hooked - closed).mean() > 0.03


def test_the_digitizer_fills_the_box_with_few_grey_levels():
    """A narrow 1 through the digitizer comes out about as wide as it is tall."""
    from braintank.data.stroke_digits import digitize, one_stem, render

    rng = np.random.default_rng(2)
    ink = render(one_stem(rng), pen=0.1)
    for _ in range(10):
        small = digitize(ink, rng)
        assert 12 <= small.shape[0] <= 20 and 0.8 <= small.shape[1] / small.shape[0] <= 1.15
        assert len(np.unique(small)) <= 256 and small.max() <= 1.0
        ys, xs = np.nonzero(small > 0.5)
        assert xs.max() - xs.min() + 1 >= 0.6 * small.shape[1]  # the bar fills the width
    images, _ = draw_digits(40, np.random.default_rng(1), digitized=1.0)
    assert images.shape == (40, 28, 28) and images.max() <= 1.0
