"""Whether a mark is one digit at all, judged from the shape of its ink before any network.

A network asked "which digit is this?" answers with a digit even for "10", a dash or a
struck-out box. Two rules need no network: parts of ink standing side by side (two digits,
or a digit and its correction) and a mark far wider than any digit (a dash, a word). What
passes them still meets the network, trained to doubt marks that are not digits; what fails
them goes to a person with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)

TWO_MARKS = "two marks side by side (two digits?)"
DASH = "a dash or line, not a digit"
TOO_WIDE = "too wide for one digit (two digits?)"
# Parts holding less of the ink than this are a digit's pieces or specks, not a second mark.
BIG_PART = 0.12
# Width over height: MNIST's widest test digits reach 1.67 (1 in 1,000 beyond it); "10"
# written apart, a dash or a word go far beyond.
TOO_WIDE_RATIO = 1.8
DASH_RATIO = 3.0


def side_by_side(boxes: Sequence[Box]) -> bool:
    """Whether two of the boxes stand next to each other rather than above each other.

    Parts stacked above one another are common within one digit (the bar of a 5 or a 7),
    so boxes overlapping across at least 30% of the narrower one's width belong together.
    """
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = min(a[2], b[2]) - max(a[0], b[0])
            narrower = min(a[2] - a[0], b[2] - b[0])
            if overlap < 0.3 * narrower:
                return True
    return False


def shape_doubt(parts: Sequence[tuple[int, int, int, int, float]]) -> str:
    """The reason a mark made of `parts` ((left, top, right, bottom, mass) each) is not
    one digit, or "" when its shape allows one."""
    if not parts:
        return ""
    total = sum(p[4] for p in parts)
    big = [p[:4] for p in parts if p[4] >= BIG_PART * total]
    if side_by_side(big):
        return TWO_MARKS
    width = max(p[2] for p in parts) - min(p[0] for p in parts)
    height = max(p[3] for p in parts) - min(p[1] for p in parts)
    if width >= DASH_RATIO * max(height, 1):
        return DASH
    if width >= TOO_WIDE_RATIO * max(height, 1):
        return TOO_WIDE
    return ""
