"""Test-time views: the first is the image itself; the others frame the digit smaller/larger."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.data.views import VIEW_SCALES, check_views, view_stack


def digit() -> np.ndarray:
    x = np.zeros((28, 28), np.float32)
    x[4:24, 12:16] = 1.0  # a 20-px "1"
    return x


def test_first_view_is_the_image_and_others_change_its_size():
    x = np.stack([digit(), digit()[::-1]])
    stack = view_stack(x, len(VIEW_SCALES))
    assert stack.shape == (len(VIEW_SCALES) * 2, 28, 28)
    assert np.array_equal(stack[:2], x)
    heights = [int((view > 0.5).any(axis=1).sum()) for view in stack[::2]]
    assert heights[0] == 20
    assert heights[1] < 20 < heights[2]  # 0.88 and 1.12 of the size
    assert abs(float(stack[2].sum()) - 0.88**2 * float(x[0].sum())) < 0.1 * float(x[0].sum())


def test_one_view_is_the_plain_image():
    x = digit()[None]
    assert np.array_equal(view_stack(x, 1), x)


@pytest.mark.parametrize("bad", [0, len(VIEW_SCALES) + 1, -1, 1.0, True, "3", None])
def test_view_counts_are_checked(bad):
    with pytest.raises(ValueError):
        check_views(bad)
