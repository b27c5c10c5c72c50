"""Splits, normalization, the in-memory loader and batch augmentation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from braintank.data.augment import AffineParams, elastic_distortion, random_affine, smooth
from braintank.data.loader import TensorLoader
from braintank.data.transforms import kfold_indices, to_tensor, train_val_split
from braintank.errors import BraintankError


def test_train_val_split_is_seeded_and_disjoint():
    a_train, a_val = train_val_split(1000, 100, seed=3)
    b_train, b_val = train_val_split(1000, 100, seed=3)
    np.testing.assert_array_equal(a_val, b_val)
    assert len(a_val) == 100 and len(a_train) == 900
    assert not set(a_train) & set(a_val)
    assert not np.array_equal(a_val, train_val_split(1000, 100, seed=4)[1])


def test_kfold_tests_every_sample_once():
    folds = kfold_indices(103, 5, seed=0)
    tested = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tested), np.arange(103))
    for train, test in folds:
        assert len(train) + len(test) == 103 and not set(train) & set(test)
    with pytest.raises(BraintankError, match="--folds"):
        kfold_indices(10, 1, 0)


def test_to_tensor_normalizes():
    x = to_tensor(np.full((2, 28, 28), 255, np.uint8), 0.5, 0.5)
    assert x.shape == (2, 1, 28, 28) and torch.allclose(x, torch.ones_like(x))


def test_loader_covers_every_sample_once_per_epoch():
    x, y = torch.arange(10).float()[:, None], torch.arange(10)
    loader = TensorLoader(x, y, 3, shuffle=True, generator=torch.Generator().manual_seed(0))
    batches = list(loader)
    assert len(batches) == len(loader) == 4
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10))
    assert seen.tolist() != list(range(10))  # shuffled
    for bx, by in batches:
        assert torch.equal(bx[:, 0].long(), by)


def _digit():
    img = torch.zeros(1, 1, 28, 28)
    img[0, 0, 6:22, 12:16] = 1.0
    return img


def test_identity_affine_and_zero_elastic_leave_images_unchanged():
    x = _digit()
    same = random_affine(x, AffineParams(0, 0, (1, 1), 0), torch.Generator().manual_seed(0))
    assert torch.allclose(same, x, atol=1e-5)
    assert torch.allclose(elastic_distortion(x, alpha=0.0), x, atol=1e-5)


def test_augmentation_is_reproducible_and_moves_ink():
    x = _digit().repeat(4, 1, 1, 1)
    a = random_affine(x, generator=torch.Generator().manual_seed(1))
    b = random_affine(x, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert (a - x).abs().sum() > 1.0
    assert not torch.equal(a[0], a[1])  # one transform per image
    e = elastic_distortion(x, generator=torch.Generator().manual_seed(1))
    assert (e - x).abs().sum() > 1.0
    assert abs(e.sum() - x.sum()) / x.sum() < 0.15  # ink is moved, not created


def test_padding_uses_background_value():
    x = torch.full((2, 1, 28, 28), -0.4242)
    out = random_affine(x, AffineParams(degrees=30, translate=0.2),
                        torch.Generator().manual_seed(0), fill=-0.4242)
    assert torch.allclose(out, x, atol=1e-4)


def test_smooth_preserves_constant_interior():
    field = torch.ones(1, 2, 40, 40)
    assert torch.allclose(smooth(field, 2.0)[..., 15:25, 15:25], torch.ones(1, 2, 10, 10),
                          atol=1e-5)
