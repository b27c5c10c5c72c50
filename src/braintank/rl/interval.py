"""How sure a mean return is: the 95% confidence interval of a mean over episodes (or seeds).

Episodes seeded one after another are independent draws of the agent's return, so the mean
is within t(0.975, n-1) * s / sqrt(n) of the agent's true mean 95% of the time (s: the sample
standard deviation). The Student-t quantile comes from its Cornish-Fisher expansion in the
normal quantile, within 0.0002 of the exact value from 10 degrees of freedom on (1.984 for
100 episodes); below that (4.303 for 3 seeds) it is read from a table of exact values."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z_975 = 1.959963984540054
# exact t(0.975, df) for df 1..9, where the expansion is not yet accurate
_SMALL_DF = {1: 12.7062047, 2: 4.30265273, 3: 3.18244631, 4: 2.77644511, 5: 2.57058184,
             6: 2.44691185, 7: 2.36462425, 8: 2.30600414, 9: 2.26215716}


def t_975(df: int) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if df in _SMALL_DF:
        return _SMALL_DF[df]
    z = Z_975
    return (z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3))


def mean_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """(mean, low, high): the mean and its 95% confidence interval (low = high = mean for one
    value, where no spread can be measured)."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = math.fsum(values) / n
    if n == 1:
        return mean, mean, mean
    s = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_975(n - 1) * s / math.sqrt(n)
    return mean, mean - half, mean + half


def share_interval(hits: int, n: int) -> tuple[float, float, float]:
    """(share, low, high): a share of `n` episodes (refuelled, crashed) and its 95% Wilson
    score interval, which, unlike share ± 1.96 standard errors, stays within [0, 1] and does
    not shrink to nothing at 0 or n hits."""
    if n < 1 or not 0 <= hits <= n:
        raise ValueError(f"need 0 <= hits <= n and n >= 1, got {hits} of {n}")
    p, z2 = hits / n, Z_975 ** 2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_975 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)
