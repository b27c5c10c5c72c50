"""The one exception type users see: the CLI prints it as a single line and exits non-zero."""


class BraintankError(Exception):
    """An error caused by input or environment, with a message meant for the user."""

    exit_code = 2
