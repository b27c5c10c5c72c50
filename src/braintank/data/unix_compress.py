"""Decompress Unix `compress` (.Z) data: LZW with 9- to 16-bit codes, as UCI ships optdigits.

The format: magic 1F 9D, a flags byte (low five bits: the largest code width; bit 7: "block
mode", where code 256 clears the table), then codes packed least-significant bit first. Codes
start 9 bits wide and widen when the table outgrows them. `compress` writes codes in groups
of eight, so a group is n_bits bytes; when the width changes or the table is cleared, the rest
of the current group is padding, and the reader skips to the next group boundary; groups of
the new width count from there.
"""

from __future__ import annotations

from braintank.errors import BraintankError

MAGIC = b"\x1f\x9d"
INIT_BITS = 9
CLEAR = 256


def _next_group(position: int, start: int, n_bits: int) -> int:
    """The start of the next group of eight n_bits codes (groups count from `start`)."""
    group = n_bits * 8
    return start + -(-(position - start) // group) * group


def decompress(data: bytes, max_output: int, name: str = "<data>") -> bytes:
    """The decompressed bytes; more than `max_output` of them, or damage, is a BraintankError."""
    if len(data) < 3 or data[:2] != MAGIC:
        raise BraintankError(f"{name}: not Unix compress (.Z) data")
    max_bits, block_mode = data[2] & 0x1F, bool(data[2] & 0x80)
    if not INIT_BITS <= max_bits <= 16:
        raise BraintankError(f"{name}: .Z header asks for {max_bits}-bit codes (9-16 exist)")
    stream = data[3:]
    total_bits = len(stream) * 8
    table_limit = 1 << max_bits
    # Each code's whole string: more memory than prefix links, but one append per code.
    strings = [bytes([i]) for i in range(256)] + [b""] * (table_limit - 256)
    n_bits = INIT_BITS
    max_code = (1 << n_bits) - 1
    free = 257 if block_mode else 256
    position, group_start = 0, 0
    previous = b""
    out = bytearray()
    while True:
        if free > max_code:  # the table outgrew the width: the group's rest is padding
            position = group_start = _next_group(position, group_start, n_bits)
            if n_bits < max_bits:
                n_bits += 1
                max_code = (1 << n_bits) - 1
            else:  # full width already: no more padding until the table is cleared
                max_code = table_limit
            continue
        if position + n_bits > total_bits:
            break
        byte = position >> 3
        window = int.from_bytes(stream[byte:byte + 3], "little")
        code = (window >> (position & 7)) & ((1 << n_bits) - 1)
        position += n_bits
        if not previous:
            if code >= 256:
                raise BraintankError(f"{name}: corrupt .Z data (first code {code})")
            previous = strings[code]
            out += previous
            continue
        if code == CLEAR and block_mode:
            position = group_start = _next_group(position, group_start, n_bits)
            n_bits, free = INIT_BITS, 256
            max_code = (1 << n_bits) - 1
            continue
        if code < free:
            current = strings[code]
        elif code == free:  # the code being defined right now: previous + its first byte
            current = previous + previous[:1]
        else:
            raise BraintankError(f"{name}: corrupt .Z data (code {code} before {free})")
        out += current
        if len(out) > max_output:
            raise BraintankError(f"{name}: decompresses to more than {max_output} bytes")
        if free < table_limit:
            strings[free] = previous + current[:1]
            free += 1
        previous = current
    return bytes(out)
