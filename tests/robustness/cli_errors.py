"""Run the `braintank` command in-process and expect the one-line error a user sees."""

from __future__ import annotations

from braintank.cli.main import main


def one_line_error(capsys, argv: list[str]) -> str:
    """The single `braintank: error: ...` line that `argv` must end with (non-zero exit)."""
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code != 0, out
    assert len(lines) == 1 and lines[0].startswith("braintank: error:"), err
    return lines[0]
