"""The optdigits reader: the real files, corrupt ones, and arbitrary text (Hypothesis)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from braintank.data.optdigits import (
    COUNTS,
    HEADER_LINES,
    SPLITS,
    load_optdigits,
    parse_optdigits,
    read_split_file,
)
from braintank.errors import BraintankError

LABEL_COUNTS = {  # from the dataset's README
    "tra": [189, 198, 195, 199, 186, 187, 195, 201, 180, 204],
    "cv": [87, 97, 92, 85, 114, 108, 87, 96, 91, 89],
    "windep": [178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
}


def header(count: int, width: int = 32) -> str:
    keys = [("entwidth", width), ("entheight", 32), ("depth", 1), ("density", 300),
            ("whitepix", 0), ("ntot", count), ("ndigit", count)] + \
        [(k, 0) for k in ("nlower", "nupper", "nparag", "firstdigit", "lastdigit", "firstlower",
                          "lastlower", "firstupper", "lastupper", "firstparag", "lastparag")]
    return "title\nsubtitle\n\n" + "".join(f"{k} = {v}\n" for k, v in keys)


def digit_block(bitmap: np.ndarray, label: int) -> str:
    rows = ["".join("1" if v else "0" for v in row) for row in bitmap]
    return "\n".join(rows) + f"\n {label}\n"


def small_file(rng: np.random.Generator, count: int = 3) -> tuple[str, np.ndarray, np.ndarray]:
    bitmaps = (rng.random((count, 32, 32)) < 0.3).astype(np.uint8)
    labels = rng.integers(0, 10, count)
    blocks = [digit_block(b, int(y)) for b, y in zip(bitmaps, labels, strict=True)]
    text = header(count) + "".join(blocks)
    return text, bitmaps, labels


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture(scope="module")
def optdigits_dir(mnist_dir) -> Path:
    folder = mnist_dir.parent / "optdigits"
    if not folder.is_dir():
        pytest.skip("optdigits not found beside mnist")
    return folder


@pytest.mark.parametrize("split", SPLITS)
def test_real_files_parse_with_published_counts(optdigits_dir, split):
    data = load_optdigits(split, optdigits_dir.parent)
    assert data.bitmaps.shape == (COUNTS[split], 32, 32)
    assert data.bitmaps.dtype == np.uint8 and set(np.unique(data.bitmaps)) == {0, 1}
    assert np.bincount(data.labels, minlength=10).tolist() == LABEL_COUNTS[split]
    assert not data.bitmaps.flags.writeable


def test_parse_round_trip(rng):
    text, bitmaps, labels = small_file(rng)
    data = parse_optdigits(text)
    assert np.array_equal(data.bitmaps, bitmaps) and np.array_equal(data.labels, labels)
    with_eof = parse_optdigits(text + "EOF\n")  # the published windep ends like this
    assert np.array_equal(with_eof.labels, labels)


@pytest.mark.parametrize("damage, message", [
    (lambda t: t.replace("ntot = 3", "ntot = 4"), "ntot"),
    (lambda t: t.replace("entwidth = 32", "entwidth = 16"), "entwidth"),
    (lambda t: t.replace("density = 300", "density 300"), "key = value"),
    (lambda t: t.replace("depth = 1", "depth = one"), "not an integer"),
    (lambda t: "\n".join(t.splitlines()[:-5]) + "\n", "whole number"),
    (lambda t: t.replace(t.splitlines()[HEADER_LINES], "0" * 31 + "2", 1), "0/1"),
    (lambda t: t.replace(t.splitlines()[HEADER_LINES], "0" * 33, 1), "0/1"),
    (lambda t: "\n".join(t.splitlines()[:HEADER_LINES + 32] + [" x"]
                         + t.splitlines()[HEADER_LINES + 33:]) + "\n", "label"),
    (lambda t: "\n".join(t.splitlines()[:10]), "too short"),
])
def test_corrupt_text_is_refused_with_the_reason(rng, damage, message):
    text, _, _ = small_file(rng)
    with pytest.raises(BraintankError, match=message):
        parse_optdigits(damage(text), "f.txt")


def test_checksum_and_binary_garbage_are_refused(tmp_path, rng, optdigits_dir):
    text, _, _ = small_file(rng)
    fake = tmp_path / "optdigits-orig.cv.gz"
    fake.write_bytes(gzip.compress(text.encode()))
    with pytest.raises(BraintankError, match="SHA-256"):
        read_split_file(fake, "cv")
    fake.write_bytes(b"\x1f\x8bnot gzip at all")
    with pytest.raises(BraintankError, match="gzip"):
        read_split_file(fake, "cv")
    fake.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(BraintankError):
        read_split_file(fake, "cv")
    real = gzip.decompress((optdigits_dir / "optdigits-orig.cv.gz").read_bytes())
    one_bit = bytearray(real)
    one_bit[-40] = ord("1") if one_bit[-40] == ord("0") else ord("0")
    fake.write_bytes(bytes(one_bit))
    with pytest.raises(BraintankError, match="SHA-256"):
        read_split_file(fake, "cv")


def test_missing_split_names_where_it_looked(tmp_path):
    with pytest.raises(BraintankError, match="optdigits-orig.tra.gz not found"):
        load_optdigits("tra", tmp_path / "nowhere")
    with pytest.raises(BraintankError, match="unknown optdigits split"):
        load_optdigits("test")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text_parses_or_is_refused(text):
    try:
        data = parse_optdigits(text)
    except BraintankError:
        return
    assert data.bitmaps.shape[1:] == (32, 32) and len(data.labels) == len(data.bitmaps)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_valid_files_parse_or_are_refused(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    text, _, _ = small_file(rng, count=2)
    lines = text.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    lines[index] = data.draw(st.text(max_size=40))
    try:
        parsed = parse_optdigits("\n".join(lines))
    except BraintankError:
        return
    assert parsed.bitmaps.shape == (2, 32, 32)
    assert set(np.unique(parsed.bitmaps)) <= {0, 1} and parsed.labels.max() <= 9


def test_data_command_verifies_optdigits_or_names_what_is_missing(optdigits_dir, tmp_path,
                                                                   capsys):
    from braintank.cli.main import main

    assert main(["data", "verify", "--dataset", "optdigits", "--data-dir",
                 str(optdigits_dir.parent)]) == 0
    out = capsys.readouterr().out
    assert out.count("OK (SHA-256 of the digits verified)") == 3
    assert main(["data", "verify", "--dataset", "optdigits", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "optdigits-orig.tra.gz not found" in err
