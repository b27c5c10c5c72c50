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


def _grid_sample_views(x: np.ndarray, views: int) -> np.ndarray:
    """The views as torch's bilinear resampling gives them (the first implementation)."""
    import torch
    import torch.nn.functional as F

    t = torch.from_numpy(x)[:, None]
    out = [t]
    for scale in VIEW_SCALES[1:views]:
        theta = torch.tensor([[1 / scale, 0.0, 0.0], [0.0, 1 / scale, 0.0]]).expand(len(t), 2, 3)
        grid = F.affine_grid(theta, list(t.shape), align_corners=False)
        out.append(F.grid_sample(t, grid, mode="bilinear", padding_mode="zeros",
                                 align_corners=False))
    return torch.cat(out)[:, 0].numpy()


@pytest.mark.parametrize("shape", [(5, 28, 28), (3, 20, 33)])
def test_views_equal_bilinear_resampling_with_zero_padding(shape):
    x = np.random.default_rng(4).random(shape, dtype=np.float32)
    stack = view_stack(x, len(VIEW_SCALES))
    assert stack.dtype == np.float32 and stack.shape == (len(VIEW_SCALES) * shape[0], *shape[1:])
    assert np.abs(stack - _grid_sample_views(x, len(VIEW_SCALES))).max() < 1e-5



def test_no_images_give_no_views():
    """torch's resampling refused an empty batch, so reading no digits raised."""
    assert view_stack(np.zeros((0, 28, 28), np.float32), len(VIEW_SCALES)).shape == (0, 28, 28)
