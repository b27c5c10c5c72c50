"""Combine finished runs into one ensemble model file, calibrated like a single network.

Members must have been trained on the same dataset with the same normalization and the
same validation hold-out (`--split-seed`), so that the ensemble's temperature and review
threshold are fitted on images none of its members trained on.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from braintank import modelfile
from braintank.data import load_split
from braintank.data.transforms import to_tensor
from braintank.errors import BraintankError
from braintank.evaluation.review_policy import REVIEW_TARGET_ACCURACY
from braintank.nets.ensemble import Ensemble
from braintank.training.config import validation_split
from braintank.training.evaluate import compute_logits, loss_and_accuracy
from braintank.training.finalize import recalibrate


def _model_file(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path / "model.pt" if path.is_dir() else path


def _load_members(paths: list[Path]) -> list[modelfile.ModelFile]:
    members = [modelfile.load(path) for path in paths]
    for path, saved in zip(paths, members, strict=True):
        if saved.kind != "model":
            raise BraintankError(f"{path}: not a finished model with a validation split")
        if saved.arch.get("type") == "ensemble":
            raise BraintankError(f"{path}: is already an ensemble; list its members instead")
    first_path, first = paths[0], members[0]
    first_split = validation_split(first.config, str(first_path))
    for path, saved in zip(paths[1:], members[1:], strict=True):
        if validation_split(saved.config, str(path)) != first_split:
            raise BraintankError(
                f"{path} and {first_path} hold out different validation images (dataset, "
                f"val size or split seed differ); train members with the same --split-seed")
        if saved.normalize != first.normalize:
            raise BraintankError(f"{path} and {first_path} normalise pixels differently")
    return members


def build_ensemble(model_paths: list[str | os.PathLike], out: str | os.PathLike,
                   data_dir: str | None = None,
                   target: float = REVIEW_TARGET_ACCURACY) -> dict:
    """Write the ensemble of `model_paths` (model files or run folders) to `out`.

    Returns the members' and the ensemble's test accuracy and the ensemble's calibration.
    """
    if len(model_paths) < 2:
        raise BraintankError("an ensemble needs at least two models")
    paths = [_model_file(p) for p in model_paths]
    members = _load_members(paths)
    arch = {"type": "ensemble", "members": [saved.arch for saved in members]}
    ensemble = Ensemble([saved.network for saved in members])
    dataset, val_size, split_seed = validation_split(members[0].config, str(paths[0]))
    config = {"model": "ensemble", "dataset": dataset, "val_size": val_size,
              "seed": split_seed, "split_seed": split_seed,
              "members": [str(path) for path in paths]}
    normalize = list(members[0].normalize)

    images, labels = load_split(dataset, "test", data_dir)
    x_test = to_tensor(images, *normalize)
    y_test = torch.tensor(labels)
    member_acc = [loss_and_accuracy(compute_logits(net, x_test), y_test)[1]
                  for net in ensemble.members]
    test_acc = loss_and_accuracy(compute_logits(ensemble, x_test), y_test)[1]
    modelfile.save(out, {"kind": "model", "arch": arch, "config": config,
                         "normalize": normalize, "model": ensemble.state_dict(),
                         "calibration": None, "test_accuracy": test_acc})
    calibration = recalibrate(out, target, data_dir)
    return {"members": [str(p) for p in paths], "member_test_accuracy": member_acc,
            "test_accuracy": test_acc, "calibration": calibration}
