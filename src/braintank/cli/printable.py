"""Outside text (file names, messages quoting them) made safe to print on one terminal line."""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def printable(text: str) -> str:
    """`text` with control characters, invisible format characters, line separators and
    undecodable bytes (lone surrogates) written as Python-style escapes (\\n, \\x1b, \\udce9),
    and backslashes doubled so the escapes stay unambiguous. Letters of any script are kept.
    """
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
