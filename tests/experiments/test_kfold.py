"""kfold: the seed's worked counts give its rates; k folds partition the data; the rates
are consistent per fold and summarized as mean ± std."""

import json

import numpy as np
import pytest

from braintank.experiments import run_and_write
from braintank.experiments.kfold import SEED_RATES, fold_indices


def test_folds_partition_the_data():
    folds = fold_indices(100, 8)
    assert len(folds) == 8
    assert sorted(np.concatenate(folds).tolist()) == list(range(100))
    assert {len(f) for f in folds} <= {12, 13}


def test_seed_example_and_cross_validation(tmp_path):
    folder = run_and_write("kfold", tmp_path / "kf", quick=True)
    numbers = json.loads((folder / "result.json").read_text())["numbers"]
    for name, value in SEED_RATES.items():
        assert numbers["seed_example"][name] == pytest.approx(value)
    assert len(numbers["folds"]) == numbers["k"] == 3
    for fold in numbers["folds"]:
        assert fold["specificity"] == pytest.approx(1 - fold["fpr"])
        assert fold["recall"] == pytest.approx(1 - fold["fnr"])
        assert fold["accuracy"] > 0.6
    summary = numbers["summary"]["fpr"]
    assert summary["mean"] == pytest.approx(np.mean([f["fpr"] for f in numbers["folds"]]))
    assert 0 < summary["std"] < 0.05
    assert (folder / "kfold.png").is_file()
