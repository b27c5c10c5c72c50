"""The 95% intervals: of a mean return (Student's t) and of a share of episodes (Wilson), against
SciPy; and their use by `rl eval`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from braintank.rl.interval import mean_interval, share_interval, t_975


@pytest.mark.parametrize("df", [1, 2, 3, 5, 9, 10, 30, 99, 999])
def test_t_quantile_matches_scipy(df):
    assert t_975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=2e-4)


def test_interval_matches_scipy_and_covers_the_mean_about_95_percent_of_the_time():
    values = [1.0, 4.0, 2.5, 7.0, 3.0]
    mean, low, high = mean_interval(values)
    want = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values),
                            scale=stats.sem(values))
    assert (mean, low, high) == pytest.approx((np.mean(values), *want), abs=1e-4)
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(2000):
        _, lo, hi = mean_interval(list(rng.normal(10.0, 3.0, 20)))
        covered += lo <= 10.0 <= hi
    assert 0.93 <= covered / 2000 <= 0.97


def test_one_value_has_no_spread_and_none_is_refused():
    assert mean_interval([3.0]) == (3.0, 3.0, 3.0)
    with pytest.raises(ValueError):
        mean_interval([])
    with pytest.raises(ValueError):
        t_975(0)
    assert math.isfinite(t_975(10**6))


@pytest.mark.parametrize("hits,n", [(0, 100), (1, 100), (45, 100), (100, 100), (2, 3)])
def test_share_interval_is_scipys_wilson_interval(hits, n):
    share, low, high = share_interval(hits, n)
    expected = stats.binomtest(hits, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert share == hits / n
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)


def test_share_interval_refuses_impossible_counts():
    with pytest.raises(ValueError, match="hits"):
        share_interval(5, 3)
