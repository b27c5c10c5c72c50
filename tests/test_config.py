"""The one config base (braintank.config) and the one schedule vocabulary (braintank.schedules):
types from the annotations, rules declared once, one-line errors, JSON round trips, old
names in saved configs."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pytest

from braintank.config import ConfigBase, setting
from braintank.errors import BraintankError
from braintank.schedules import OLD_SCHEDULE_NAMES, SCHEDULE_NAMES, schedule_help


@dataclass
class Example(ConfigBase):
    settings_name = "example"

    name: str = "x"
    lr: float = setting(0.1, label="learning rate", above=0)
    epochs: int = setting(3, at_least=1)
    share: float = setting(0.5, at_most=1)
    patience: int | None = setting(None, at_least=1)
    sizes: tuple[int, ...] = setting((8,), at_least=1, at_most=64, length=(1, 3))
    pair: tuple[float, float] = setting((0.5, 0.5), below=1)
    hidden: list[int] = setting(factory=lambda: [4], at_least=1)
    mode: str = setting("fast", choices=("fast", "slow"), renamed={"quick": "fast"})
    flag: bool = False
    extra: dict = setting(factory=dict)


def refused(make, *fragments: str) -> str:
    with pytest.raises(BraintankError) as caught:
        make()
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_defaults_are_valid_and_round_trip_through_json():
    cfg = Example().validate()
    data = json.loads(json.dumps(cfg.to_dict()))
    assert data["sizes"] == [8] and data["pair"] == [0.5, 0.5]  # JSON-ready: lists
    back = Example.from_dict(data, source="run.json")
    assert back == cfg and back.sizes == (8,) and back.hidden == [4]


def test_unknown_keys_are_refused_naming_the_key_and_the_source():
    refused(lambda: Example.from_dict({"colour": "red", "lr": 0.2}, source="old/run.json"),
            "old/run.json: unknown example settings: colour")
    refused(lambda: Example.from_dict(["lr"], source="a.json"),
            "a.json: example settings must be a dict")
    refused(lambda: Example().replace(colour="red"), "unknown example settings: colour")


def test_missing_keys_take_their_defaults():
    assert Example.from_dict({"epochs": 5}) == Example(epochs=5)


@pytest.mark.parametrize("changes, fragments", [
    ({"epochs": True}, ("epochs must be a whole number >= 1", "got True")),
    ({"epochs": 2.0}, ("epochs", "got 2.0")),
    ({"lr": True}, ("learning rate must be > 0 and finite", "got True")),
    ({"lr": "fast"}, ("learning rate", "'fast'")),
    ({"lr": math.nan}, ("learning rate", "nan")),
    ({"name": 5}, ("name must be a string, got 5",)),
    ({"flag": 1}, ("flag must be true or false, got 1",)),
    ({"extra": []}, ("extra must be a dict",)),
    ({"sizes": 8}, ("sizes must be 1 to 3 whole numbers, each from 1 to 64", "got 8")),
    ({"sizes": [8, True]}, ("sizes",)),
    ({"pair": (0.5,)}, ("pair must be 2 numbers, each >= 0 and < 1",)),
    ({"hidden": ["4"]}, ("hidden must be a list of whole numbers",)),
    ({"patience": "3"}, ("patience must be a whole number >= 1, or none",)),
    ({"mode": 3}, ("unknown mode 3 (known: fast, slow)",)),
])
def test_wrong_types_are_refused_by_name_with_the_value(changes, fragments):
    refused(lambda: Example(**changes).validate(), *fragments)
    refused(lambda: Example.from_dict(changes, source="f.json"), "f.json: ", *fragments)


def test_a_float_takes_an_int_and_optional_takes_none():
    cfg = Example(lr=1, share=0, patience=None).validate()
    assert cfg.lr == 1 and Example(patience=2).validate().patience == 2


@pytest.mark.parametrize("changes, fragments", [
    ({"lr": 0.0}, ("learning rate must be > 0 and finite, got 0.0",)),
    ({"epochs": 0}, ("epochs must be a whole number >= 1, got 0",)),
    ({"epochs": 2**70}, ("epochs",)),
    ({"share": -0.1}, ("share must be >= 0 and <= 1 and finite, got -0.1",)),
    ({"share": 1.5}, ("share", "1.5")),
    ({"sizes": (8, 65)}, ("sizes", "65")),
    ({"sizes": ()}, ("sizes must be 1 to 3",)),
    ({"pair": (0.5, 1.0)}, ("pair", "1.0")),
    ({"patience": 0}, ("patience", "got 0")),
    ({"mode": "medium"}, ("unknown mode 'medium' (known: fast, slow)",)),
])
def test_values_out_of_range_are_refused(changes, fragments):
    refused(lambda: Example(**changes).validate(), *fragments)


def test_replace_validates_and_keeps_the_original():
    cfg = Example()
    assert cfg.replace(epochs=7).epochs == 7 and cfg.epochs == 3
    assert cfg.replace(sizes=[2, 4]).sizes == (2, 4)  # stored as the annotation says
    refused(lambda: cfg.replace(epochs=0), "epochs must be")


def test_old_values_are_renamed():
    assert Example.from_dict({"mode": "quick"}).mode == "fast"


# ---------------------------------------------------------------- the schedule vocabulary

def test_one_schedule_vocabulary_for_both_engines():
    from braintank.scratch.config import SCHEDULES as NUMPY_SCHEDULES
    from braintank.scratch.config import ScratchConfig
    from braintank.training.config import TrainConfig

    assert SCHEDULE_NAMES == ("none", "step", "cosine", "onecycle")
    assert set(NUMPY_SCHEDULES) < set(SCHEDULE_NAMES)
    for name in SCHEDULE_NAMES:
        TrainConfig(schedule=name).validate()
    for name in NUMPY_SCHEDULES:
        ScratchConfig(lr_schedule=name).validate()
    refused(lambda: ScratchConfig(lr_schedule="onecycle").validate(),
            "lr schedule 'onecycle' is not available with the numpy engine")
    refused(lambda: TrainConfig(schedule="exp").validate(),
            "unknown schedule 'exp' (known: none, step, cosine, onecycle)")


@pytest.mark.parametrize("old, new", sorted(OLD_SCHEDULE_NAMES.items()))
def test_old_schedule_names_in_saved_configs_are_mapped(old, new):
    from braintank.scratch.config import ScratchConfig
    from braintank.scratch.trainer import _learning_rate
    from braintank.training.config import TrainConfig

    saved = {**ScratchConfig().to_dict(), "lr_schedule": old}  # an old run's config.json
    cfg = ScratchConfig.from_dict(saved, source="run/last.npz")
    assert cfg.lr_schedule == new and cfg.to_dict()["lr_schedule"] == new
    before = {"constant": [0.05] * 3, "exponential": [0.05 * 0.9 ** e for e in range(3)]}
    assert [_learning_rate(cfg, e) for e in (1, 2, 3)] == pytest.approx(before[old])
    assert TrainConfig.from_dict({"schedule": old}).schedule == new


def test_train_help_lists_the_one_vocabulary(capsys):
    from braintank.cli.main import main

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert schedule_help() in help_text
    assert "onecycle (torch engine only)" in help_text


def test_numpy_engine_takes_schedule_from_the_command_line(capsys, tmp_path):
    from braintank.cli.main import main

    code = main(["train", "--engine", "numpy", "--model", "tiny", "--schedule", "onecycle",
                 "--no-progress", "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code != 0 and "not available with the numpy engine" in err, err
    assert not (tmp_path / "run").exists()
