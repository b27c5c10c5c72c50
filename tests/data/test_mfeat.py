"""The mfeat reader and downloader: the real file, damaged text, and a local mirror."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from braintank.data.mfeat import (
    COUNT,
    STEM,
    checked_text,
    download_mfeat,
    load_mfeat,
    parse_mfeat,
)
from braintank.errors import BraintankError


@pytest.fixture(scope="module")
def mfeat_dir(mnist_dir) -> Path:
    folder = mnist_dir.parent / "mfeat"
    if not folder.is_dir():
        pytest.skip("mfeat not found beside mnist")
    return folder


@pytest.fixture(scope="module")
def raw(mfeat_dir) -> bytes:
    return gzip.decompress((mfeat_dir / f"{STEM}.gz").read_bytes())


def test_real_file_has_200_of_each_digit(mfeat_dir):
    data = load_mfeat(mfeat_dir.parent)
    assert data.images.shape == (COUNT, 16, 15) and data.images.dtype == np.uint8
    assert np.bincount(data.labels).tolist() == [200] * 10
    assert data.images.max() == 6 and data.images.min() == 0
    ink = data.as_ink()
    assert ink.dtype == np.float32 and ink.max() == 1.0
    assert not data.images.flags.writeable


def small_text(rng: np.random.Generator) -> str:
    rows = rng.integers(0, 7, (COUNT, 240))
    return "\n".join(" ".join(f"{v:3d}" for v in row) for row in rows)


@pytest.mark.parametrize(("damage", "message"), [
    (lambda t: t.rsplit("\n", 1)[0], "1999 lines"),
    (lambda t: t.replace("  6", "  7", 1), "grey level above 6"),
    (lambda t: t.replace("  0", "  x", 1), "not 240 integers"),
    (lambda t: t + "\n  1", "2001 lines"),
])
def test_damaged_text_is_refused_naming_the_line(damage, message):
    text = small_text(np.random.default_rng(0))
    parse_mfeat(text)
    with pytest.raises(BraintankError, match=message):
        parse_mfeat(damage(text))


def test_another_file_is_refused_by_its_checksum(raw):
    checked_text(raw, "real")
    changed = bytearray(raw)
    changed[100] = ord("5") if changed[100] != ord("5") else ord("4")
    with pytest.raises(BraintankError, match="SHA-256"):
        checked_text(bytes(changed), "changed")


@pytest.fixture()
def mirror(tmp_path, raw, serve_folder):
    root = tmp_path / "www"
    (root / "plain").mkdir(parents=True)
    (root / "plain" / "mfeat-pix").write_bytes(raw)
    (root / "bad").mkdir()
    (root / "bad" / "mfeat-pix").write_bytes(raw[:-10])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mfeat-pix", raw)
        archive.writestr("mfeat-fou", "other features")
    (root / "uci.zip").write_bytes(buffer.getvalue())
    return serve_folder(root)


@pytest.mark.parametrize("good", ["uci.zip", "plain/mfeat-pix"])
def test_download_skips_bad_mirrors(tmp_path, mirror, mfeat_dir, good):
    mirrors = (f"{mirror}/missing.zip", f"{mirror}/bad/mfeat-pix", f"{mirror}/{good}")
    folder = download_mfeat(tmp_path / "cache", progress=False, mirrors=mirrors)
    ours, shared = load_mfeat(folder), load_mfeat(mfeat_dir.parent)
    assert np.array_equal(ours.images, shared.images)


def test_download_with_no_good_mirror_writes_nothing(tmp_path, mirror):
    with pytest.raises(BraintankError, match="could not be downloaded"):
        download_mfeat(tmp_path / "dl", progress=False,
                       mirrors=(f"{mirror}/missing.zip", f"{mirror}/bad/mfeat-pix"))
    assert not (tmp_path / "dl").exists() or not list((tmp_path / "dl").iterdir())


def test_data_command_verifies_mfeat_or_names_what_is_missing(mfeat_dir, tmp_path, capsys):
    from braintank.cli.main import main

    assert main(["data", "verify", "--dataset", "mfeat", "--data-dir",
                 str(mfeat_dir.parent)]) == 0
    assert "OK (SHA-256 verified)" in capsys.readouterr().out
    assert main(["data", "verify", "--dataset", "mfeat", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mfeat-pix.txt.gz not found" in err
