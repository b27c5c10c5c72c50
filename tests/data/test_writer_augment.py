"""The writer and scanner augmentations: shapes, ranges, determinism, and what each one does."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from braintank.data.augment import augment_batch
from braintank.data.augment_names import INK_NAMES, parse_augment
from braintank.data.writer_augment import (
    INK_FAMILIES,
    blur,
    box_fill,
    dilate,
    erode,
    low_resolution,
    segments,
    stroke_width,
    style_strokes,
)


@pytest.fixture(scope="module")
def digits(mnist_dir):
    from braintank.data import load_split

    images, labels = load_split("mnist", "test")
    pick = np.concatenate([np.flatnonzero(labels == d)[:6] for d in range(10)])
    x = torch.tensor(images[pick] / 255.0, dtype=torch.float32)[:, None]
    return x, torch.tensor(labels[pick])


@pytest.mark.parametrize("name", sorted(INK_FAMILIES))
def test_ink_family_keeps_shape_range_and_is_seeded(digits, name):
    x, _ = digits
    family = INK_FAMILIES[name]
    a = family(x.clone(), torch.Generator().manual_seed(5))
    b = family(x.clone(), torch.Generator().manual_seed(5))
    c = family(x.clone(), torch.Generator().manual_seed(6))
    assert a.shape == x.shape and a.dtype == x.dtype
    assert float(a.min()) >= 0.0 and float(a.max()) <= 1.0
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert not torch.equal(a, x)


def test_dilation_and_erosion_are_max_and_min_filters():
    x = torch.zeros(1, 1, 9, 9)
    x[0, 0, 4, 4] = 1.0
    assert int(dilate(x, 3).sum()) == 9  # a point grows into a 3x3 square
    square = dilate(x, 3)
    assert int(erode(square, 3).sum()) == 1  # and shrinks back


def test_stroke_width_changes_ink_amount_both_ways(digits):
    x, _ = digits
    out = stroke_width(x, torch.Generator().manual_seed(0))
    ratio = out.sum(dim=(1, 2, 3)) / x.sum(dim=(1, 2, 3))
    assert (ratio < 0.9).any() and (ratio > 1.2).any() and torch.isclose(ratio, torch.ones(1)).any()


def _ink_box(image: torch.Tensor) -> tuple[int, int]:
    rows, cols = (image[0] > 0.5).any(dim=1), (image[0] > 0.5).any(dim=0)
    return int(rows.sum()), int(cols.sum())


def test_box_fill_turns_a_narrow_stroke_into_a_square_bar_with_sharp_edges():
    x = torch.zeros(2, 1, 28, 28)
    x[0, 0, 4:24, 12:15] = 1.0  # a 1: 20 rows, 3 columns
    x[1, 0, 4:24, 4:24] = 1.0  # already square
    out = box_fill(x, torch.Generator().manual_seed(0), way=(1.0, 1.0))
    height, width = _ink_box(out[0])
    assert height == 20 and 18 <= width <= 22  # the whole way to a square, centred on the stem
    assert _ink_box(out[1]) == (20, 20)
    grey = ((out > 0.1) & (out < 0.9)).sum(dim=(1, 2, 3))
    assert int(grey[0]) <= 2 * 20  # the stretch's smear is sharpened back to about a pixel


def test_box_fill_stretches_part_of_the_way_and_leaves_blank_images_blank():
    x = torch.zeros(3, 1, 28, 28)
    x[:2, 0, 4:24, 12:15] = 1.0
    out = box_fill(x, torch.Generator().manual_seed(0), way=(0.5, 0.5))
    width = _ink_box(out[0])[1]
    assert 6 <= width <= 10  # sqrt(20 / 3) of the width: half the way in log scale
    assert float(out[2].abs().sum()) == 0.0


def test_low_resolution_loses_detail_but_keeps_the_digit(digits):
    x, _ = digits
    out = low_resolution(x, torch.Generator().manual_seed(0))
    # coarser: fewer distinct grey levels in thresholded halves, yet the ink sits where it was
    overlap = ((out > 0.5) & (x > 0.5)).sum() / (x > 0.5).sum()
    assert overlap > 0.7
    assert not torch.equal(out, x)


def test_blur_restores_full_ink(digits):
    x, _ = digits
    out = blur(x, torch.Generator().manual_seed(0))
    assert torch.allclose(out.amax(dim=(1, 2, 3)), torch.ones(len(x)), atol=1e-5)
    assert (out > 0.05).sum() > (x > 0.05).sum()  # edges spread


def test_segments_draw_a_line_of_the_given_width():
    p0 = torch.tensor([[4.5, 10.5]])
    p1 = torch.tensor([[20.5, 10.5]])
    line = segments(p0, p1, torch.tensor([2.0]), 28, 28, torch.zeros(1))
    assert line.shape == (1, 1, 28, 28)
    ink_across = line[0, 0, :, 8:18].sum(dim=0)  # away from the ends
    assert torch.allclose(ink_across, torch.full_like(ink_across, 2.0))
    assert int(line[0, 0].sum(dim=1).argmax()) == 10
    cols = (line[0, 0] > 0.5).any(dim=0).nonzero().squeeze(1)
    assert int(cols.min()) == 4 and int(cols.max()) == 20


def test_style_strokes_add_ink_only_to_ones_and_sevens(digits):
    x, y = digits
    out = style_strokes(x, y, torch.Generator().manual_seed(0))
    changed = (out - x).abs().sum(dim=(1, 2, 3)) > 1.0
    styled = (y == 1) | (y == 7)
    assert changed[styled].all()
    assert not changed[~styled].any()
    assert (out >= x - 1e-6).all()  # strokes are added, never removed


def test_parse_augment_names_families_and_aliases():
    assert parse_augment("none") == ()
    assert parse_augment("affine+thickness") == ("affine", "thickness")
    assert "styles" in parse_augment("writers")
    for bad in ("rotate", "affine+affine", "affine+", ""):
        with pytest.raises(ValueError):
            parse_augment(bad)


def test_augment_batch_on_normalised_data_keeps_background_and_share(digits):
    x, y = digits
    mean, std = 0.1307, 0.3081
    xn = (x - mean) / std
    fill, ink = -mean / std, (1 - mean) / std
    out = augment_batch(xn, "writers", torch.Generator().manual_seed(1), fill, 0.5, labels=y,
                        ink=ink)
    assert out.shape == xn.shape
    assert float(out.min()) >= fill - 1e-4 and float(out.max()) <= ink + 1e-4
    untouched = (out == xn).flatten(1).all(dim=1)
    assert 0 < int(untouched.sum()) < len(x)  # about half the batch is left clean
    again = augment_batch(xn, "writers", torch.Generator().manual_seed(1), fill, 0.5, labels=y,
                          ink=ink)
    assert torch.equal(out, again)


def test_augment_batch_refuses_missing_inputs(digits):
    x, y = digits
    with pytest.raises(ValueError):
        augment_batch(x, "thickness", None, 0.0, 1.0)  # no ink level
    with pytest.raises(ValueError):
        augment_batch(x, "styles", None, 0.0, 1.0, ink=1.0)  # no labels


def test_geometric_only_augmentation_is_unchanged_by_the_new_families(digits):
    """The affine path draws the same random numbers as before (shipped runs reproduce)."""
    from braintank.data.augment import AffineParams, _resample, affine_grid

    x, _ = digits
    g = torch.Generator().manual_seed(3)
    out = augment_batch(x, "affine", torch.Generator().manual_seed(3), 0.0, 1.0)
    torch.rand(len(x), generator=g)  # the share draw
    expected = _resample(x, affine_grid(x, AffineParams(), g), 0.0)
    assert torch.allclose(out, expected)


def test_the_torch_free_family_names_match_the_ink_functions():
    """augment_names lists the ink families so settings can be checked without torch; the
    functions live in writer_augment.INK_FAMILIES, applied in that order."""
    assert tuple(INK_FAMILIES) == INK_NAMES
