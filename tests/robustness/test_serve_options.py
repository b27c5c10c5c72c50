"""`braintank serve` refuses what it cannot honour in one line, before it says it serves:
an upload limit that is not a finite positive number (inf, 1e400 and nan overflowed or
passed), a port another program holds (the address was printed, then uvicorn failed)."""

from __future__ import annotations

import socket

import pytest

from .cli_errors import one_line_error


@pytest.mark.parametrize("value", ["inf", "1e400", "-inf", "nan", "0", "-3"])
def test_an_upload_limit_that_is_not_a_positive_finite_number_is_refused(capsys, tmp_path,
                                                                          value):
    line = one_line_error(capsys, ["serve", "--db", str(tmp_path / "r.db"),
                                   f"--max-upload-mb={value}"])
    assert "--max-upload-mb must be a positive finite number" in line
    assert not (tmp_path / "r.db").exists()


def test_a_busy_port_is_one_line_and_no_address_is_printed(capsys, tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        line = one_line_error(capsys, ["serve", "--db", str(tmp_path / "r.db"), "--port",
                                       str(port)])
    assert f"--port {port}: address 127.0.0.1:{port} is already in use" in line
    assert not (tmp_path / "r.db").exists()  # refused before the store is opened


def test_a_host_that_is_not_here_is_one_line(capsys, tmp_path):
    line = one_line_error(capsys, ["serve", "--db", str(tmp_path / "r.db"), "--host",
                                   "192.0.2.1", "--token", "Zq8-v2Lw9xT4mR7kP1nB"])
    assert "--host 192.0.2.1 --port 8000: cannot listen there" in line
