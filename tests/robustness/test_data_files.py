"""Dataset files: a gzip bomb is stopped at the size the registry expects, and an explicit
--data-dir is used or refused, never replaced by another copy (issue 10, items 16 and 17)."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from braintank.cli.main import main
from braintank.data.download import download
from braintank.data.idx import read_raw_bytes
from braintank.data.registry import MNIST, locate
from braintank.errors import BraintankError

from .cli_errors import one_line_error

LABELS = "t10k-labels-idx1-ubyte"


def write_gzip_bomb(path: Path, size: int) -> None:
    """`size` zero bytes, gzip-compressed in a stream (about 1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    with open(path, "wb") as handle:
        for _ in range(size // len(chunk)):
            handle.write(compressor.compress(chunk))
        handle.write(compressor.flush())


def test_the_reader_stops_at_the_size_it_is_given(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(bytes(101)))
    assert read_raw_bytes(path, max_size=101) == bytes(101)
    with pytest.raises(BraintankError, match=r"x.gz: .*more than the expected 100 bytes"):
        read_raw_bytes(path, max_size=100)
    raw = tmp_path / "raw"
    raw.write_bytes(bytes(101))
    with pytest.raises(BraintankError, match=r"raw: .*more than the expected 100 bytes"):
        read_raw_bytes(raw, max_size=100)


def test_the_registry_knows_every_files_decompressed_size(mnist_dir):
    for stem in MNIST.sha256:
        path = mnist_dir / f"{stem}.gz"
        assert len(gzip.decompress(path.read_bytes())) == MNIST.sizes[stem]


# Peak memory from VmHWM (this process image's own high-water mark: ru_maxrss would include
# the parent's, inherited across fork and exec).
BOMB_CHECK = """
import re, sys
from braintank.data import load_split
from braintank.errors import BraintankError
try:
    load_split("mnist", "test", sys.argv[1])
except BraintankError as exc:
    print(exc)
status = open("/proc/self/status").read()
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024)
"""


def test_a_gzip_bomb_in_a_dataset_folder_is_stopped_without_using_its_size(tmp_path, mnist_dir):
    """512 MB of zeros in a 0.5 MB file, where 10 kB of labels are expected."""
    folder = tmp_path / "mnist"
    shutil.copytree(mnist_dir, folder)
    write_gzip_bomb(folder / f"{LABELS}.gz", 512 << 20)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", BOMB_CHECK, str(folder)], capture_output=True,
                          text=True, env=env, check=True)
    message, peak_mb = proc.stdout.strip().splitlines()
    assert int(peak_mb) < 200, f"peak memory {peak_mb} MB"
    assert f"{LABELS}.gz" in message and "more than the expected 10,008 bytes" in message


@pytest.fixture
def bomb_mirror(tmp_path, serve_folder):
    """A real HTTP server on localhost serving a gzip bomb under every dataset file name."""
    root = tmp_path / "www"
    root.mkdir()
    write_gzip_bomb(root / "bomb.gz", 64 << 20)
    for stem in MNIST.sha256:
        os.link(root / "bomb.gz", root / f"{stem}.gz")
    return serve_folder(root) + "/"


def test_a_mirror_serving_a_bomb_is_refused_at_the_expected_size(tmp_path, bomb_mirror):
    with pytest.raises(BraintankError, match="more than the expected"):
        download("mnist", tmp_path / "dl", progress=False, mirrors=(bomb_mirror,))
    assert not list(tmp_path.glob("dl/*"))


# ---- an explicit --data-dir is used or refused --------------------------------------------

@pytest.fixture
def incomplete(tmp_path, mnist_dir) -> Path:
    folder = tmp_path / "partial" / "mnist"
    shutil.copytree(mnist_dir, folder)
    (folder / f"{LABELS}.gz").unlink()
    return folder


def test_locate_looks_only_in_an_explicit_folder(incomplete, mnist_dir, tmp_path):
    assert locate("mnist") is not None  # BRAINTANK_DATA holds a complete copy
    assert locate("mnist", mnist_dir) == mnist_dir
    for given in (incomplete, incomplete.parent):
        with pytest.raises(BraintankError) as caught:
            locate("mnist", given)
        assert str(incomplete) in str(caught.value) and LABELS in str(caught.value)
    with pytest.raises(BraintankError, match=f"{tmp_path / 'absent'}: .*not found"):
        locate("mnist", tmp_path / "absent")


@pytest.mark.parametrize("action", ["verify", "info"])
def test_data_commands_refuse_an_incomplete_data_dir(capsys, incomplete, action):
    line = one_line_error(capsys, ["data", action, "--data-dir", str(incomplete)])
    assert str(incomplete) in line and LABELS in line and "OK" not in line


def test_data_verify_refuses_a_missing_data_dir(capsys, tmp_path, mnist_dir):
    line = one_line_error(capsys, ["data", "verify", "--data-dir", str(tmp_path / "nope")])
    assert str(tmp_path / "nope") in line and "not found" in line


def test_eval_with_a_file_missing_names_folder_and_file_and_downloads_nothing(
        capsys, incomplete, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    line = one_line_error(capsys, ["eval", "--data-dir", str(incomplete)])
    assert str(incomplete) in line and LABELS in line and "download" not in line
    assert not (tmp_path / "cache").exists()


def test_data_verify_still_checks_a_complete_data_dir(capsys, mnist_dir):
    assert main(["data", "verify", "--data-dir", str(mnist_dir)]) == 0
    out = capsys.readouterr().out
    assert out.count("OK (SHA-256 verified)") == 2 and f"found in {mnist_dir}" in out
