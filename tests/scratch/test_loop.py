"""scratch/loop.py: the one epoch loop behind `braintank train --engine numpy` and the
course experiments (their callers' own behaviour is tested in test_trainer.py and
tests/experiments/)."""

import numpy as np

from braintank.experiments.training import fit
from braintank.scratch.loop import run_epochs
from braintank.scratch.model import mlp
from braintank.scratch.optim import make_optimizer
from braintank.scratch.serialize import load_model
from braintank.scratch.trainer import train_scratch

from .test_trainer import small_config, synthetic_data


def test_trainer_and_experiments_train_the_same_weights(tmp_path):
    """Same model, optimizer, seed and knobs: both callers run the same epochs exactly."""
    data = synthetic_data(600)
    config = small_config(epochs=2, lr_schedule="constant")
    train_scratch(config, tmp_path / "run", progress=False, data=data)
    model = mlp([784, *config.hidden, 10], config.activation, config.init, config.dropout,
                config.dtype, config.seed)
    optimizer = make_optimizer(config.optimizer, config.lr, config.weight_decay,
                               **config.optimizer_args)
    fit(model, optimizer, data, config.epochs, config.batch_size, seed=config.seed,
        max_norm=config.max_norm)
    np.testing.assert_array_equal(model.flat_params,
                                  load_model(tmp_path / "run/last.npz").flat_params)


def test_rate_inputs_and_stopping_are_the_callers():
    data = synthetic_data(300)
    model = mlp([784, 8, 10], "relu", "he_normal", seed=0)
    optimizer = make_optimizer("sgd", 0.1)
    seen, rates = [], []

    def after_epoch(stats):
        seen.append(stats)
        rates.append(optimizer.lr)
        return stats.number == 3

    def transform(x):
        assert len(rates) == len(seen)  # each epoch's inputs are drawn before its pass
        return x

    last = run_epochs(model, optimizer, data["x_train"], data["y_train"], epochs=5,
                      batch_size=32, rng=np.random.default_rng(0), first_epoch=1,
                      learning_rate=lambda epoch: 0.1 / epoch, transform=transform,
                      after_epoch=after_epoch)
    assert last == 3 and [s.number for s in seen] == [2, 3]
    assert rates == [0.05, 0.1 / 3]
    assert all(0 <= s.accuracy <= 1 and s.loss > 0 and not s.diverged for s in seen)
    assert run_epochs(model, optimizer, data["x_train"], data["y_train"], epochs=5,
                      batch_size=32, rng=np.random.default_rng(0), stop_after=0) == 0


def test_a_diverged_epoch_stops_at_its_batch_and_ends_training():
    data = synthetic_data(300)
    model = mlp([784, 8, 10], "relu", "he_normal", seed=0)
    seen = []
    last = run_epochs(model, make_optimizer("sgd", 1e30), data["x_train"], data["y_train"],
                      epochs=4, batch_size=32, rng=np.random.default_rng(0),
                      after_epoch=lambda stats: seen.append(stats) or False)
    assert last == 1 and len(seen) == 1
    assert seen[0].diverged and seen[0].diverged_at > 1 and not np.isfinite(seen[0].loss)
