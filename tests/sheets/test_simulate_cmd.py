"""`braintank sheet simulate`, end to end: template -> simulated photo -> `sheet read` -> a CSV
whose digits are the ones really written (issue 14: a first run without paper)."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
from conftest import model_path
from robustness.cli_errors import one_line_error

from braintank.cli.main import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def _rows(path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    assert main(["sheet", "template", "--rows", "6", "--cols", "5", "--title", "First run",
                 "--out", str(folder)]) == 0
    return folder / "layout.json"


def _simulate(layout, out, truth=None, *options: str) -> None:
    extra = ["--truth", str(truth)] if truth else []
    assert main(["sheet", "simulate", "--layout", str(layout), "--out", str(out), *extra,
                 *options]) == 0


@pytest.fixture(scope="module")
def photo(tmp_path_factory, template, mnist_test):
    """The default phone photo (seed 0) and its truth CSV."""
    folder = tmp_path_factory.mktemp("photo")
    _simulate(template, folder / "photo.jpg", folder / "truth.csv")
    return folder / "photo.jpg", folder / "truth.csv"


def _read_matches_truth(tmp_path, layout, image, truth) -> None:
    """`sheet read` the image; the read CSV lines up with the truth row by row, every box
    read `ok` holds the digit written, empty boxes are found empty, and most digits are read."""
    out = tmp_path / "results.csv"
    assert main(["sheet", "read", str(image), "--layout", str(layout), "--out", str(out),
                 "--db", str(tmp_path / "r.db"), "--model", str(model_path()),
                 "--quiet"]) == 0
    read, true = _rows(out), _rows(truth)
    key = ("file", "page", "row", "col")
    assert [[r[k] for k in key] for r in read] == [[t[k] for k in key] for t in true]
    assert len(true) == 30 and sum(t["digit"] != "" for t in true) >= 20
    pairs = list(zip(read, true, strict=True))
    ok = [(r, t) for r, t in pairs if r["status"] == "ok"]
    assert all(r["digit"] == t["digit"] for r, t in ok), ok
    assert all((r["status"] == "empty") == (t["digit"] == "") for r, t in pairs)
    assert len(ok) >= 0.8 * sum(t["digit"] != "" for t in true)


def test_phone_photo_is_read_into_the_digits_written(tmp_path, photo, template, classifier):
    image, truth = photo
    assert image.read_bytes().startswith(JPEG_MAGIC)
    _read_matches_truth(tmp_path, template, image, truth)


def test_scan_is_a_flat_300_dpi_png_read_into_the_digits_written(tmp_path, template,
                                                                   mnist_test, classifier,
                                                                   capsys):
    image, truth = tmp_path / "scan.png", tmp_path / "truth.csv"
    _simulate(template, image, truth, "--scan", "--seed", "4")
    assert "simulated scan, 300 dpi" in capsys.readouterr().out
    data = image.read_bytes()
    assert data.startswith(PNG_MAGIC)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (2480, 3508)  # A4 at 300 dpi
    _read_matches_truth(tmp_path, template, image, truth)


def test_same_seed_same_bytes(tmp_path, photo, template):
    image, truth = photo
    _simulate(template, tmp_path / "again.jpg", tmp_path / "truth.csv")
    assert (tmp_path / "again.jpg").read_bytes() == image.read_bytes()
    # The truth names the image it belongs to; the digits are the same.
    again = _rows(tmp_path / "truth.csv")
    assert [r["digit"] for r in again] == [r["digit"] for r in _rows(truth)]
    assert {r["file"] for r in again} == {str(tmp_path / "again.jpg")}


def test_another_seed_another_page(tmp_path, template, mnist_test):
    for seed in ("1", "2"):
        _simulate(template, tmp_path / f"{seed}.png", tmp_path / f"{seed}.csv", "--scan",
                  "--seed", seed)
    assert (tmp_path / "1.png").read_bytes() != (tmp_path / "2.png").read_bytes()
    assert _rows(tmp_path / "1.csv") != _rows(tmp_path / "2.csv")


def test_png_phone_photo_and_jpeg_scan_follow_the_name(tmp_path, template, mnist_test):
    _simulate(template, tmp_path / "photo.png", None, "--seed", "3")
    _simulate(template, tmp_path / "scan.JPEG", None, "--scan")
    assert (tmp_path / "photo.png").read_bytes().startswith(PNG_MAGIC)
    assert (tmp_path / "scan.JPEG").read_bytes().startswith(JPEG_MAGIC)


# ---- bad input: one line, nothing written ----------------------------------------------------

def _refused(capsys, tmp_path, layout, out, *options: str) -> str:
    before = sorted(p.name for p in tmp_path.iterdir())
    line = one_line_error(capsys, ["sheet", "simulate", "--layout", str(layout),
                                   "--out", str(out), *options])
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    return line


def test_missing_layout(tmp_path, capsys):
    line = _refused(capsys, tmp_path, tmp_path / "nope.json", tmp_path / "p.jpg")
    assert "nope.json: layout file not found" in line


def test_invalid_layout(tmp_path, capsys):
    bad = tmp_path / "layout.json"
    bad.write_text("{not json")
    assert "not a braintank layout.json" in _refused(capsys, tmp_path, bad, tmp_path / "p.jpg")


def test_out_is_the_layout(tmp_path, template, capsys):
    before = template.read_bytes()
    line = one_line_error(capsys, ["sheet", "simulate", "--layout", str(template),
                                   "--out", str(template)])
    assert "--out" in line and "same file" in line
    assert template.read_bytes() == before


def test_truth_is_the_image(tmp_path, template, capsys):
    out = tmp_path / "p.jpg"
    line = _refused(capsys, tmp_path, template, out, "--truth", str(out))
    assert "--truth" in line and "same file" in line


@pytest.mark.parametrize("name, says", [("photo.tif", ".jpg, .jpeg or .png"),
                                        ("folder", "is a folder")])
def test_out_that_is_no_image_name(tmp_path, template, capsys, name, says):
    (tmp_path / "folder").mkdir()
    assert says in _refused(capsys, tmp_path, template, tmp_path / name)


@pytest.mark.parametrize("option", ["--out", "--truth"])
def test_output_under_a_file_is_refused_before_any_work(tmp_path, template, capsys, option):
    (tmp_path / "file.txt").write_text("a file, not a folder")
    bad = tmp_path / "file.txt" / "deeper" / "x.png"
    out = bad if option == "--out" else tmp_path / "p.jpg"
    extra = ["--truth", str(bad)] if option == "--truth" else []
    # No MNIST folder: refused before the digits are even looked for.
    line = _refused(capsys, tmp_path, template, out, *extra, "--data-dir", str(tmp_path / "no"))
    assert f"{option} {bad}: cannot write it, {tmp_path / 'file.txt'} is not a folder" in line


def test_output_in_a_read_only_folder_is_refused(tmp_path, template, capsys):
    # Root may write into any folder by its permission bits, but not into /proc/sys (CI runs
    # as root); other users get a folder of their own made read-only.
    locked = tmp_path / "locked"
    if os.geteuid() == 0:
        locked = Path("/proc/sys/vm")
    else:
        locked.mkdir()
        locked.chmod(0o500)
    if not locked.is_dir() or os.access(locked, os.W_OK | os.X_OK):
        pytest.skip("no read-only folder here")
    try:
        line = _refused(capsys, tmp_path, template, locked / "p.jpg")
    finally:
        if locked.parent == tmp_path:
            locked.chmod(0o700)
    assert "is not writable" in line


def test_negative_seed(tmp_path, template, capsys):
    assert "--seed must be 0 or more" in _refused(capsys, tmp_path, template,
                                                  tmp_path / "p.jpg", "--seed", "-1")


def test_missing_mnist_says_where_it_looked(tmp_path, template, capsys):
    empty = tmp_path / "data"
    empty.mkdir()
    line = _refused(capsys, tmp_path, template, tmp_path / "p.jpg", "--data-dir", str(empty))
    assert "dataset 'mnist' is incomplete" in line and "t10k-images-idx3-ubyte.gz" in line


# ---- mishaps: what the reader must survive ----------------------------------------------------

def _read_rows(tmp_path, layout, image) -> tuple[int, list[dict]]:
    out = tmp_path / "results.csv"
    code = main(["sheet", "read", str(image), "--layout", str(layout), "--out", str(out),
                 "--db", str(tmp_path / "r.db"), "--model", str(model_path()), "--quiet"])
    return code, _rows(out)


def test_cut_edge_photo_is_read_for_the_boxes_it_shows(tmp_path, template, mnist_test,
                                                       classifier, capsys):
    image, truth = tmp_path / "cut.jpg", tmp_path / "truth.csv"
    _simulate(template, image, truth, "--cut-edge", "top", "--dpi", "200", "--seed", "5")
    cut = int(re.search(r"(\d+) cut off by the photo's edge", capsys.readouterr().out)[1])
    assert 1 <= cut <= 12
    code, read = _read_rows(tmp_path, template, image)
    assert code == 0 and len(read) == 30
    pairs = list(zip(read, _rows(truth), strict=True))
    assert all(r["digit"] == t["digit"] for r, t in pairs if r["status"] == "ok")
    listed = [r for r in read if r["reason"] == "not in the photo"]
    assert len(listed) >= cut and all(r["status"] == "review" and r["digit"] == ""
                                      for r in listed)


def test_low_dpi_photo_has_no_ok_cell(tmp_path, template, mnist_test, classifier, capsys):
    image = tmp_path / "small.jpg"
    _simulate(template, image, None, "--dpi", "50", "--seed", "6")
    assert "50 dpi" in capsys.readouterr().out
    code, read = _read_rows(tmp_path, template, image)
    assert code == 0 and len(read) == 30
    assert not [r for r in read if r["status"] == "ok"]
    small = [r for r in read if re.fullmatch(r"photo too small: \d+ px per box; take it closer",
                                             r["reason"])]
    assert len(small) >= 15 and all(r["status"] == "review" for r in small)


def test_cross_lines_writes_every_digit_against_its_box(tmp_path, template, mnist_test,
                                                       classifier):
    plain, crossing = tmp_path / "plain.jpg", tmp_path / "cross.jpg"
    _simulate(template, plain, None, "--seed", "7")
    _simulate(template, crossing, tmp_path / "truth.csv", "--seed", "7", "--cross-lines")
    assert plain.read_bytes() != crossing.read_bytes()
    _read_matches_truth(tmp_path, template, crossing, tmp_path / "truth.csv")


@pytest.mark.parametrize("options, says", [
    (["--dpi", "10"], "--dpi must be between 30 and 1200, got 10"),
    (["--dpi", "nan"], "--dpi must be between 30 and 1200, got nan"),
    (["--scan", "--dpi", "100"], "--scan is a whole flat 300-dpi page"),
    (["--scan", "--cut-edge", "left"], "--scan is a whole flat 300-dpi page")])
def test_bad_mishap_options(tmp_path, template, capsys, options, says):
    assert says in _refused(capsys, tmp_path, template, tmp_path / "p.jpg", *options)
