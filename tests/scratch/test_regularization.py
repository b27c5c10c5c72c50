"""Max-norm constraint and early stopping."""

import numpy as np
import pytest

from braintank.errors import BraintankError
from braintank.scratch import mlp
from braintank.scratch.regularization import EarlyStopping, apply_max_norm


def test_max_norm_caps_only_rows_above_the_limit():
    model = mlp([20, 30, 5], init="normal", dtype="float64", seed=0)
    model.layers[0].W[0] *= 1e-3  # one row well under the cap
    small_row = model.layers[0].W[0].copy()
    apply_max_norm(model.layers, 3.0)
    for dense in model.dense_layers():
        assert np.linalg.norm(dense.W, axis=1).max() <= 3.0 + 1e-12
    np.testing.assert_array_equal(model.layers[0].W[0], small_row)
    with pytest.raises(BraintankError, match="max_norm must be > 0"):
        apply_max_norm(model.layers, 0)


def test_early_stopping_counts_epochs_without_improvement():
    stopper = EarlyStopping(patience=2)
    decisions = [stopper.update(e, loss) for e, loss in enumerate([1.0, 0.8, 0.9, 0.7, 0.75, 0.71])]
    assert decisions == [False, False, False, False, False, True]
    assert (stopper.best_, stopper.best_epoch_) == (0.7, 3)
