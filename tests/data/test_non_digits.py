"""Non-digit marks: each kind draws, framed the MNIST way, and is what it claims to be."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.data.non_digits import KINDS, draw_mark, draw_marks, struck_out, two_digits
from braintank.data.stroke_digits import draw_digit


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_draws_a_framed_mark(kind):
    rng = np.random.default_rng(len(kind))
    for _ in range(10):
        image = draw_mark(kind, rng)
        assert image.shape == (28, 28) and image.dtype == np.float32
        assert image.max() > 0.5 and image.min() >= 0.0 and image.max() <= 1.0


def test_two_digits_are_wider_than_one_and_struck_out_digits_carry_more_ink():
    rng = np.random.default_rng(1)
    one = draw_digit(0, "oval", rng)
    for _ in range(10):  # "00": each 0 is taller than wide, the pair wider than tall
        ys, xs = np.nonzero(two_digits(one, one, rng) > 0.1)
        assert (xs.max() - xs.min()) > (ys.max() - ys.min())
    crossed = struck_out(one, rng)
    assert crossed.sum() > one.sum() * 2


def test_marks_from_given_digits_are_reproducible():
    digits = np.stack([draw_digit(0, "oval", np.random.default_rng(seed))
                       for seed in range(3)])
    a, kinds_a = draw_marks(40, np.random.default_rng(9), digits)
    b, kinds_b = draw_marks(40, np.random.default_rng(9), digits)
    assert np.array_equal(a, b) and kinds_a == kinds_b
    assert set(kinds_a) <= set(KINDS) and len(set(kinds_a)) > 5
