"""The names of the augmentation families, without torch: settings are checked (and every
CLI command starts) before the tensors that augment are loaded."""

from __future__ import annotations

GEOMETRIC = ("affine", "aspect", "elastic")
# writer_augment.INK_FAMILIES holds their functions, in this order
INK_NAMES = ("thickness", "boxfill", "resolution", "blur", "breaks", "faint", "blobs")
FAMILIES = GEOMETRIC + ("styles", *INK_NAMES)
# Every family at once: what differs between writers and scanners (see writer_augment.py).
ALIASES = {"writers": "affine+aspect+styles+thickness+boxfill+resolution+blur+breaks+faint+blobs"}


def parse_augment(kind: str) -> tuple[str, ...]:
    """The families named by `kind` ("none", an alias, or families joined by "+")."""
    if kind == "none":
        return ()
    names = tuple(ALIASES.get(kind, kind).split("+"))
    unknown = [n for n in names if n not in FAMILIES]
    if unknown or len(set(names)) != len(names):
        raise ValueError(f"unknown augmentation {kind!r}: use none, "
                         f"{', '.join(ALIASES)}, or families joined by '+' "
                         f"({', '.join(FAMILIES)})")
    return names
