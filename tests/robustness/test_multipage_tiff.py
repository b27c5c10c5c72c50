"""Every page of a multi-page TIFF is read, numbered from 1 like a PDF's pages."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.imaging import images
from braintank.imaging.images import image_page_count, load_image, load_pages

from .conftest import model_path

SHEETS = ("good1.jpg", "upside-down.jpg", "good2.jpg")


def _tiff(path, frames: list[np.ndarray]):
    first, *rest = (Image.fromarray(f) for f in frames)
    first.save(path, save_all=True, append_images=rest, compression="tiff_deflate")
    return path


def test_every_page_of_a_tiff_is_read(tmp_path, scans, classifier, capsys):
    folder, sheets = scans
    scan = _tiff(tmp_path / "batch.tif", [sheets[name].image for name in SHEETS])
    out = tmp_path / "results.csv"
    code = main(["sheet", "read", str(scan), "--out", str(out), "--db",
                 str(tmp_path / "r.db"), "--model", str(model_path())])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "3 pages read" in captured.out
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted({r["page"] for r in rows}) == ["1", "2", "3"]
    for page, name in enumerate(SHEETS, 1):
        cells = [r for r in rows if r["page"] == str(page)]
        assert len(cells) == 100
        truth = sheets[name].truth
        ok = [r for r in cells if r["status"] == "ok"]
        # The page's own digits: another page's cells would disagree far more often.
        assert sum(int(r["digit"]) == truth[(int(r["row"]), int(r["col"]))] for r in ok) \
            >= 0.95 * len(ok) > 0
        assert all((r["status"] == "empty") == (truth[(int(r["row"]), int(r["col"]))] is None)
                   for r in cells)
    # Read again: all three pages are known (by file hash and page), none read twice.
    assert main(["sheet", "read", str(scan), "--out", str(out), "--db",
                 str(tmp_path / "r.db"), "--model", str(model_path())]) == 0
    assert "0 pages read, 3 already in" in capsys.readouterr().out


def test_load_pages_yields_each_frame_once(tmp_path):
    frames = [np.full((40, 30), v, np.uint8) for v in (0, 128, 255)]
    scan = _tiff(tmp_path / "three.tiff", frames)
    assert image_page_count(scan) == 3
    pages = list(load_pages(scan))
    assert [n for n, _ in pages] == [1, 2, 3]
    assert [float(p.mean()) for _, p in pages] == pytest.approx([0.0, 128 / 255, 1.0])
    assert [n for n, _ in load_pages(scan, only={2})] == [2]
    assert float(load_image(scan).mean()) == 0.0  # load_image: the first page


def test_frames_of_other_formats_are_not_pages(tmp_path):
    frames = [Image.fromarray(np.full((20, 20), v, np.uint8)) for v in (10, 200)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert image_page_count(tmp_path / "anim.gif") == 1
    assert [n for n, _ in load_pages(tmp_path / "anim.gif")] == [1]


def test_each_frame_has_the_pixel_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 50_000)
    scan = _tiff(tmp_path / "big-page-2.tif", [np.zeros((100, 100), np.uint8),
                                                 np.zeros((300, 300), np.uint8),
                                                 np.zeros((100, 100), np.uint8)])
    results = list(load_pages(scan))
    assert [n for n, _ in results] == [1, 2, 3]
    assert isinstance(results[1][1], BraintankError) and "MP limit" in str(results[1][1])
    assert all(isinstance(r, np.ndarray) for _, r in (results[0], results[2]))


def test_too_many_pages_is_refused(tmp_path):
    frames = [np.full((2, 2), i % 256, np.uint8) for i in range(images.MAX_PAGES + 1)]
    scan = _tiff(tmp_path / "many.tif", frames)
    with pytest.raises(BraintankError, match=f"more than {images.MAX_PAGES} pages"):
        image_page_count(scan)
    with pytest.raises(BraintankError, match=f"more than {images.MAX_PAGES} pages"):
        list(load_pages(scan))


def test_a_pdf_of_too_many_pages_is_refused_like_a_tiff(tmp_path, capsys):
    """Capped like a TIFF, before any page is rendered (a 12 MB PDF of 100,000 blank pages
    was about 14 hours of reading)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for _ in range(images.MAX_PAGES + 1):
        document.new_page(20, 20)
    document.save(tmp_path / "huge.pdf")
    out = tmp_path / "out.csv"
    code = main(["sheet", "read", str(tmp_path / "huge.pdf"), "--out", str(out), "--db",
                 str(tmp_path / "r.db"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and out.exists()
    assert f"huge.pdf: PDF with 1,001 pages, more than the {images.MAX_PAGES} braintank " \
           f"reads from one file" in err
