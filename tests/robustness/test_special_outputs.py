"""An output that is a FIFO or a device (directly or through a symlink) is written into, never
replaced by a regular file: the atomic rename that protects regular files must not destroy a
pipe or, as root, a system device. Errors name the user's file, never the temporary one."""

from __future__ import annotations

import os
import select
import stat
import threading
from pathlib import Path

import numpy as np
import pytest

from braintank.cli.main import main
from braintank.fileio import atomic_write_bytes
from braintank.sheets.reading.reader import CellReading, PageReading
from braintank.sheets.storing.store import SheetStore


class FifoReader:
    """A FIFO at `path` with a reader draining it in a thread. The reader opens its end
    without blocking, so a command that never opens the FIFO cannot hang the test."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.data = bytearray()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while True:
            finished = self.done.is_set()  # read before draining: nothing is written after
            select.select([self.fd], [], [], 0.05)
            try:
                while chunk := os.read(self.fd, 1 << 16):
                    self.data += chunk
            except BlockingIOError:
                pass
            if finished:
                return

    def close(self) -> bytes:
        self.done.set()
        self.thread.join(10)
        os.close(self.fd)
        return bytes(self.data)


def _still_special(path: Path, kind) -> bool:
    return kind(os.stat(path).st_mode)


def _database(path: Path) -> None:
    with SheetStore(path) as store:
        cells = [CellReading(1, 1, 4, 0.99, "ok", "", guess=4,
                             crop=np.full((20, 20), 200, np.uint8))]
        store.save_page("abc", 1, "scan.png", PageReading("1x1-00", cells), "m")


def _commands(tmp_path: Path, layout_file: Path) -> dict:
    """command name -> (argv builder taking the output paths, outputs, expected start)"""
    return {
        "sheet read": (lambda out: ["sheet", "read", str(tmp_path / "bad.png"), "--out",
                                    str(out[0]), "--db", str(tmp_path / "r.db")],
                       ["cells.csv"], [b"file,page,row,col"]),
        "sheet export": (lambda out: ["sheet", "export", "--db", str(tmp_path / "r.db"),
                                      "--out", str(out[0])], ["cells.csv"],
                         [b"file,page,row,col"]),
        "export": (lambda out: ["export", "--out", str(out[0])], ["model.onnx"], [b"\x08"]),
        "sheet simulate": (lambda out: ["sheet", "simulate", "--layout", str(layout_file),
                                        "--scan", "--out", str(out[0]), "--truth", str(out[1])],
                           ["photo.png", "truth.csv"], [b"\x89PNG", b"file,page,row,col"]),
        "rl play": (lambda out: ["rl", "play", "q-learning-cliff", "--out", str(out[0])],
                    ["clip.gif"], [b"GIF8"]),
    }


@pytest.fixture()
def setup(tmp_path, mnist_dir):
    from braintank.sheets.printing.layout import make_layout

    (tmp_path / "bad.png").write_bytes(b"not an image")
    _database(tmp_path / "r.db")
    layout_file = tmp_path / "layout.json"
    layout_file.write_text(make_layout(3, 4, "FIFO test").to_json())
    return tmp_path, layout_file


@pytest.mark.parametrize("command", ["sheet read", "sheet export", "export", "sheet simulate",
                                     "rl play"])
def test_a_fifo_output_is_written_into_and_stays_a_fifo(setup, command, capsys):
    tmp_path, layout_file = setup
    argv, names, starts = _commands(tmp_path, layout_file)[command]
    fifos = [FifoReader(tmp_path / name) for name in names]
    try:
        code = main(argv([fifo.path for fifo in fifos]))
    finally:
        received = [fifo.close() for fifo in fifos]
    assert code in (0, 1), capsys.readouterr().err  # sheet read: one unreadable scan -> 1
    for fifo, data, start in zip(fifos, received, starts, strict=True):
        assert _still_special(fifo.path, stat.S_ISFIFO), f"{fifo.path.name} was replaced"
        assert data.startswith(start), data[:40]


def test_a_link_to_a_device_is_written_through_and_kept(setup, capsys):
    tmp_path, _layout = setup
    link = tmp_path / "null.csv"
    link.symlink_to(os.devnull)
    assert main(["sheet", "export", "--db", str(tmp_path / "r.db"), "--out", str(link)]) == 0
    assert link.is_symlink() and _still_special(link, stat.S_ISCHR)
    assert _still_special(Path(os.devnull), stat.S_ISCHR)


def test_a_socket_is_refused_unchanged(tmp_path):
    import socket

    path = tmp_path / "out.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(Exception, match="not a regular file") as caught:
            atomic_write_bytes(path, b"data")
        assert caught.type.__name__ == "BraintankError"
        assert _still_special(path, stat.S_ISSOCK)


def test_an_error_names_the_users_file_not_the_temporary_one(tmp_path):
    target = tmp_path / "out.csv"
    target.mkdir()  # the rename of the temporary file onto a folder fails
    with pytest.raises(IsADirectoryError) as caught:
        atomic_write_bytes(target, b"x")
    assert str(caught.value).endswith(f"'{target}'") and ".tmp" not in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left
