"""Dataset lookup order, verified loading, and the download path against a local server."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from braintank.data import load_split
from braintank.data.datasets import resolve_dir
from braintank.data.download import download
from braintank.data.registry import MNIST, candidate_dirs, locate
from braintank.errors import BraintankError


def test_mnist_loads_with_published_counts(mnist_dir):
    x, y = load_split("mnist", "train")
    assert x.shape == (60000, 28, 28) and x.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(
        np.bincount(y), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    assert abs(x.mean() / 255 - 0.1307) < 1e-4
    assert not x.flags.writeable


def test_lookup_order(tmp_path, monkeypatch):
    monkeypatch.setenv("BRAINTANK_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    dirs = candidate_dirs("mnist")
    assert dirs == [tmp_path / "env" / "mnist",
                    tmp_path / "cache" / "braintank" / "datasets" / "mnist",
                    dirs[-1]]
    assert str(dirs[-1]) == "/usr/share/datasets/mnist"
    # an explicit folder is the only place looked at (the folder itself or its mnist/)
    assert candidate_dirs("mnist", tmp_path / "cli") == [tmp_path / "cli" / "mnist",
                                                         tmp_path / "cli"]


def test_data_dir_wins_over_environment(tmp_path, monkeypatch, mnist_dir):
    mine = tmp_path / "mine" / "mnist"
    shutil.copytree(mnist_dir, mine)
    assert locate("mnist", tmp_path / "mine") == mine
    assert locate("mnist", mine) == mine  # the dataset folder itself is accepted too
    monkeypatch.setenv("BRAINTANK_DATA", str(tmp_path / "mine"))
    assert locate("mnist") == mine


def test_checksum_mismatch_is_reported(tmp_path, mnist_dir):
    bad = tmp_path / "mnist"
    shutil.copytree(mnist_dir, bad)
    raw = bytearray(gzip.decompress((bad / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one label changed: still valid IDX, wrong data
    (bad / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(BraintankError, match="t10k-labels-idx1-ubyte.gz: SHA-256 mismatch"):
        load_split("mnist", "test", bad)


def test_offline_message_says_where_to_put_files(tmp_path, monkeypatch):
    monkeypatch.setenv("BRAINTANK_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("braintank.data.registry.SYSTEM_DATASETS", tmp_path / "none")
    with pytest.raises(BraintankError, match="put train-images-idx3-ubyte.gz .* BRAINTANK_DATA"):
        resolve_dir("mnist", allow_download=False)


@pytest.fixture
def local_mirror(tmp_path, mnist_dir, serve_folder):
    """A real HTTP server on localhost: /good/ serves MNIST, /bad/ a corrupted copy."""
    root = tmp_path / "www"
    shutil.copytree(mnist_dir, root / "good")
    (root / "bad").mkdir()
    for stem in MNIST.sha256:
        (root / "bad" / f"{stem}.gz").write_bytes(gzip.compress(b"\0\0\x08\x01garbage"))
    return serve_folder(root)


def test_download_skips_bad_mirrors_and_verifies(tmp_path, local_mirror):
    mirrors = (f"{local_mirror}/missing/", f"{local_mirror}/bad/", f"{local_mirror}/good/")
    folder = download("mnist", tmp_path / "cache" / "mnist", progress=False, mirrors=mirrors)
    x, y = load_split("mnist", "test", folder)
    assert x.shape == (10000, 28, 28) and len(y) == 10000


def test_download_fails_cleanly_when_no_mirror_is_good(tmp_path, local_mirror):
    mirrors = (f"{local_mirror}/missing/", f"{local_mirror}/bad/")
    with pytest.raises(BraintankError, match="checksum mismatch"):
        download("mnist", tmp_path / "dl", progress=False, mirrors=mirrors)
    assert not list(tmp_path.glob("dl/*"))  # nothing half-downloaded is left behind
