"""Any picture, however odd, gets a reading that keeps the promise: `ok` with a digit and no
reason, `review` with a reason a person can read, or `empty` with no digit; never a
traceback. Arbitrary arrays and arbitrary strokes (the marks people really make) both."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from braintank.errors import BraintankError
from braintank.inference.classifier import DigitClassifier

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def classifier(tiny_model) -> DigitClassifier:
    return DigitClassifier.load(tiny_model)


def _check(reading) -> None:
    assert reading.status in ("ok", "review", "empty")
    if reading.status == "ok":
        assert reading.digit in range(10) and reading.reason == ""
    elif reading.status == "review":
        assert reading.reason and "\n" not in reading.reason
    else:
        assert reading.digit is None
    assert np.isfinite(reading.confidence) and 0 <= reading.confidence <= 1


@SETTINGS
@given(hnp.arrays(np.float32, st.tuples(st.integers(8, 90), st.integers(8, 90)),
                  elements=st.floats(0, 1, width=32)))
def test_any_grey_array_gets_a_reading(classifier, picture):
    try:
        readings = classifier.predict([picture])
    except BraintankError as exc:
        assert "\n" not in str(exc)
        return
    _check(readings[0])


@SETTINGS
@given(st.lists(st.lists(st.tuples(st.integers(0, 119), st.integers(0, 119)), min_size=2,
                         max_size=12), min_size=1, max_size=6),
       st.integers(1, 14))
def test_any_strokes_on_paper_get_a_reading(classifier, strokes, pen):
    page = np.full((120, 120), 235, np.uint8)
    for points in strokes:
        cv2.polylines(page, [np.array(points, np.int32).reshape(-1, 1, 2)], False, 20, pen,
                      cv2.LINE_AA)
    _check(classifier.predict([page])[0])
