"""The layout code printed as a strip of squares: rows, columns and variant, with a checksum.

Read after rectification, so it needs no orientation of its own; the checksum makes a page of
some other form (or a misread strip) fail loudly instead of being read with the wrong grid.
"""

from __future__ import annotations

import zlib

from braintank.sheets.printing.layout import CODE_BITS, MAX_COLS, MAX_ROWS

_START = (1, 0)
_CHECK_BITS = CODE_BITS - len(_START) - 5 - 4 - 8


def _to_bits(value: int, width: int) -> list[int]:
    return [(value >> (width - 1 - i)) & 1 for i in range(width)]


def _from_bits(bits: list[int]) -> int:
    value = 0
    for b in bits:
        value = (value << 1) | int(b)
    return value


def _checksum(payload: list[int]) -> list[int]:
    value = zlib.crc32(bytes(payload)) % (1 << _CHECK_BITS)
    return _to_bits(value, _CHECK_BITS)


def encode(rows: int, cols: int, variant: int) -> list[int]:
    """The bit pattern printed for a layout."""
    assert 1 <= rows <= MAX_ROWS and 1 <= cols <= MAX_COLS and 0 <= variant < 256
    payload = _to_bits(rows - 1, 5) + _to_bits(cols - 1, 4) + _to_bits(variant, 8)
    return list(_START) + payload + _checksum(payload)


def decode(bits: list[int]) -> tuple[int, int, int] | None:
    """(rows, cols, variant), or None when the bits are not a valid code."""
    if len(bits) != CODE_BITS or tuple(bits[:2]) != _START:
        return None
    payload = [int(b) for b in bits[2:2 + 17]]
    if _checksum(payload) != [int(b) for b in bits[2 + 17:]]:
        return None
    rows = _from_bits(payload[:5]) + 1
    cols = _from_bits(payload[5:9]) + 1
    if rows > MAX_ROWS:
        return None
    return rows, cols, _from_bits(payload[9:])
