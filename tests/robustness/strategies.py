"""Hypothesis strategies the robustness tests share."""

from __future__ import annotations

from hypothesis import strategies as st


def json_values(max_leaves: int = 30, largest: int = 10 ** 6) -> st.SearchStrategy:
    """Anything json.loads can return (NaN and infinities included, as Python reads them),
    integers up to `largest` either way."""
    return st.recursive(
        st.none() | st.booleans() | st.integers(-largest, largest)
        | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                     max_size=5),
        max_leaves=max_leaves)
