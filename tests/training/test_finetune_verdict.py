"""When a finetuned model is offered for use: better on the held-out corrections, and MNIST
kept within a tenth of a point."""

from __future__ import annotations

import pytest

from braintank.training.finetune import verdict


def scores(accepted: float, right: float | None, mnist: float, n: int = 40) -> dict:
    return {"heldout": {"n": n, "accuracy": 0.9, "accepted": accepted,
                        "accepted_accuracy": right},
            "mnist_test": {"accuracy": mnist}}


BEFORE = scores(0.80, 0.99, 0.9968)


@pytest.mark.parametrize(("after", "better", "words"), [
    (scores(0.90, 1.0, 0.9965), True, "80.0% -> 90.0%"),
    (scores(0.90, 1.0, 0.9955), False, "MNIST test fell 0.13 points"),   # the case
    (scores(0.80, 0.99, 0.9968), False, "accepts no more"),
    (scores(0.75, 1.0, 0.9968), False, "accepts no more"),
    (scores(0.95, 0.90, 0.9968), False, "fewer accepted held-out corrections are right"),
    (scores(0.0, None, 0.9968), False, "no held-out correction"),
    (scores(0.80, 1.0, 0.9968), True, "80.0% -> 80.0%"),   # as many, more of them right
])
def test_verdict(after, better, words):
    result = verdict(BEFORE, after)
    assert result["better"] is better and words in result["why"]


def test_a_base_that_accepted_nothing_is_beaten_by_one_that_accepts_right():
    assert verdict(scores(0.0, None, 0.99), scores(0.5, 1.0, 0.99))["better"]
