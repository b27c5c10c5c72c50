"""`braintank predict`: a bad --show is refused up front, hostile file names cannot break the
plain output, and a damaged TIFF's decoder warnings become one line (issue 10, item 18)."""

from __future__ import annotations

import io
import json
import os
import struct
import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from braintank.cli.main import main
from braintank.nets import build_model


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    """An untrained tiny network: what it reads does not matter here, only how it is shown."""
    arch = {"type": "mlp", "hidden": [8]}
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("model") / "tiny.pt"
    torch.save({"format": "braintank", "version": 1, "kind": "model", "arch": arch,
                "normalize": [0.1307, 0.3081], "model": build_model(arch).state_dict(),
                "calibration": {"temperature": 1.0, "threshold": 0.5}}, path)
    return str(path)


def digit_image(path) -> str:
    ink = np.full((60, 60), 255, np.uint8)
    ink[10:50, 28:33] = 0  # a dark vertical stroke on white paper
    Image.fromarray(ink).save(path, format="PNG")
    return str(path)


def test_show_pointing_at_a_file_is_refused_before_anything_is_read(capsys, tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    image = digit_image(tmp_path / "one.png")
    # the model does not even exist: the --show check comes first
    code = main(["predict", "--model", str(tmp_path / "absent.pt"), "--show", str(existing),
                 image])
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and err.startswith("braintank: error: --show")
    assert str(existing) in err and "not a folder" in err
    assert existing.read_text() == "keep me"


def test_show_under_a_file_is_refused_too(capsys, tmp_path, model):
    (tmp_path / "file").write_text("x")
    code = main(["predict", "--model", model, "--show", str(tmp_path / "file" / "sub"),
                 digit_image(tmp_path / "one.png")])
    _, err = capsys.readouterr()
    assert code != 0 and err.count("\n") == 1 and "--show" in err


def test_show_writes_previews_into_a_new_folder(capsys, tmp_path, model):
    image = digit_image(tmp_path / "one.png")
    assert main(["predict", "--model", model, "--show", str(tmp_path / "seen"), image]) == 0
    assert (tmp_path / "seen" / "one.28x28.png").is_file()
    assert len(capsys.readouterr().out.splitlines()) == 1


@pytest.mark.parametrize("name, shown", [
    ("two\nlines.png", "two\\nlines.png"),
    ("carriage\rreturn.png", "carriage\\rreturn.png"),
    ("tab\tin name.png", "tab\\tin name.png"),
    ("escape\x1b[31mred.png", "escape\\x1b[31mred.png"),
    ("back\\slash.png", "back\\\\slash.png"),
    ("chiffre-٣-é.png", "chiffre-٣-é.png"),
])
def test_plain_output_keeps_one_line_and_five_columns_per_image(capsys, tmp_path, model, name,
                                                                 shown):
    odd = digit_image(tmp_path / name)
    plain = digit_image(tmp_path / "plain.png")
    assert main(["predict", "--model", model, odd, plain]) == 0
    lines = capsys.readouterr().out.split("\n")
    assert lines[-1] == "" and len(lines) == 3, lines
    rows = [line.split("\t") for line in lines[:2]]
    assert all(len(row) == 5 for row in rows), rows
    assert rows[0][0] == str(tmp_path / shown) and rows[1][0] == plain
    # JSON output was already safe and keeps the real name
    assert main(["predict", "--model", model, "--json", odd]) == 0
    assert json.loads(capsys.readouterr().out)["file"] == odd


def test_a_name_that_is_not_utf8_is_shown_escaped_instead_of_crashing(capsys, tmp_path, model):
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.png")
    Image.open(digit_image(tmp_path / "src.png")).save(raw, format="PNG")
    name = os.fsdecode(raw)
    assert main(["predict", "--model", model, name]) == 0
    assert capsys.readouterr().out.startswith(str(tmp_path / "caf\\udce9.png") + "\t")


def test_errors_about_odd_names_stay_on_one_line(capsys, tmp_path, model):
    bad = tmp_path / "not\nan image.png"
    bad.write_text("hello")
    code = main(["predict", "--model", model, str(bad), digit_image(tmp_path / "ok.png")])
    out, err = capsys.readouterr()
    assert code == 1 and len(out.splitlines()) == 1
    assert err.count("\n") == 1 and "not\\nan image.png" in err


def damaged_tiff(path) -> str:
    """A TIFF whose compression tag claims more data than the file has: Pillow skips the tag
    (with a warning) and decodes the pixels anyway."""
    buffer = io.BytesIO()
    Image.fromarray(np.full((40, 40), 230, np.uint8)).save(buffer, format="TIFF")
    data = bytearray(buffer.getvalue())
    ifd = struct.unpack("<I", data[4:8])[0]
    for i in range(struct.unpack("<H", data[ifd:ifd + 2])[0]):
        entry = ifd + 2 + 12 * i
        if struct.unpack("<H", data[entry:entry + 2])[0] == 259:  # Compression
            data[entry + 4:entry + 8] = struct.pack("<I", 0xFFFF)
    path.write_bytes(bytes(data))
    return str(path)


def test_a_damaged_tiff_gives_one_warning_line_and_the_batch_goes_on(capsys, tmp_path, model):
    tiff = damaged_tiff(tmp_path / "scan.tif")
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        code = main(["predict", "--model", model, tiff, digit_image(tmp_path / "ok.png")])
    out, err = capsys.readouterr()
    assert escaped == [], [str(w.message) for w in escaped]
    assert code == 0 and len(out.splitlines()) == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"braintank: warning: {tiff}: "), err


def test_a_damaged_tiff_scan_warns_in_one_line_in_the_sheet_reader(tmp_path):
    """`sheet read` decodes through the same loader; the warning reaches stderr as one line."""
    import subprocess
    import sys

    tiff = damaged_tiff(tmp_path / "scan.tif")
    done = subprocess.run(
        [sys.executable, "-m", "braintank.cli.main", "sheet", "read", tiff, "--out",
         str(tmp_path / "out.csv"), "--db", str(tmp_path / "s.db")],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 1  # a blank page is not a sheet: named, not a traceback
    assert done.stderr.strip(), done.stderr
    for line in done.stderr.strip().splitlines():
        assert line.startswith(("braintank: warning: ", "braintank: error: ", "skipped: ",
                                "0 pages read")), done.stderr
