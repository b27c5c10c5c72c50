"""The one exception type users see: the CLI prints it as a single line and exits non-zero."""


class BraintankError(Exception):
    """An error caused by input or environment, with a message meant for the user."""

    exit_code = 2


def short_repr(value: object, limit: int = 60) -> str:
    """repr(value) on one line, cut to `limit` characters: a hostile value can neither
    flood a message nor break it over lines (a tensor's repr has several)."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
