"""Two sheets in one photo (issue 22, item 10): both are read, left to right, as pages 1 and 2
of the photo; none is dropped without a word."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from conftest import model_path
from PIL import Image

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.sheets.reading.reader import read_page, read_photo
from braintank.sheets.simulating.simulate import simulate_sheets


@pytest.fixture(scope="module")
def two(mnist_test, layout):
    images, labels = mnist_test
    return simulate_sheets(layout, images, labels, np.random.default_rng(21))


def _matches(cells, sheet, classifier, images) -> None:
    """Every box of `sheet` read: `ok` digits right (or as the network reads that MNIST digit
    itself: a few are written like another digit), empty boxes empty, most digits `ok`."""
    assert {(c.row, c.col) for c in cells} == set(sheet.truth)
    for cell in cells:
        key = (cell.row, cell.col)
        truth, kind = sheet.truth[key], sheet.kinds[key]
        assert (cell.status == "empty") == (kind == "empty"), key
        if cell.status == "ok":
            source = images[sheet.sources[key]][None].astype(np.float32) / 255.0
            alone = int(classifier.predict_batch28(source).argmax())
            assert cell.digit in (truth, alone), (key, cell.digit, truth)
    written = sum(k == "digit" for k in sheet.kinds.values())
    assert sum(c.status == "ok" for c in cells) >= 0.9 * written


def test_both_sheets_of_a_photo_are_read_left_to_right(two, classifier, mnist_test):
    assert two[0].image is two[1].image
    readings = read_photo(two[0].image, classifier)
    assert len(readings) == 2
    for reading, sheet in zip(readings, two, strict=True):
        assert not isinstance(reading, BraintankError), reading
        _matches(reading.cells, sheet, classifier, mnist_test[0])
    with pytest.raises(BraintankError, match="2 sheets in one photo"):
        read_page(two[0].image, classifier)


def test_sheet_read_stores_them_as_pages_of_the_photo(tmp_path, two, classifier, capsys,
                                                      mnist_test):
    photo, out, db = tmp_path / "two.jpg", tmp_path / "r.csv", tmp_path / "r.db"
    photo.write_bytes(two[0].data)
    command = ["sheet", "read", str(photo), "--out", str(out), "--db", str(db),
               "--model", str(model_path())]
    assert main(command) == 0
    assert "(sheet 1 of 2 in the photo, as page 1)" in capsys.readouterr().err
    for again in (False, True):  # read, then skipped as already read: both still exported
        with open(out, newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [r["page"] for r in rows] == ["1"] * 100 + ["2"] * 100
        for page, sheet in enumerate(two, 1):
            for r in rows[(page - 1) * 100:page * 100]:
                key = (int(r["row"]), int(r["col"]))
                assert (r["status"] == "empty") == (sheet.kinds[key] == "empty"), (page, key)
                if r["status"] == "ok":
                    source = mnist_test[0][sheet.sources[key]][None].astype(np.float32) / 255
                    alone = int(classifier.predict_batch28(source).argmax())
                    assert int(r["digit"]) in (sheet.truth[key], alone), (page, key)
        if not again:
            assert main(command) == 0
            assert "0 pages read, 1 already in" in capsys.readouterr().out


def test_second_sheet_on_a_page_of_a_tiff_is_reported_not_read(tmp_path, two, classifier,
                                                                capsys):
    """Pages of a multi-page file keep their numbers, so a page holding two sheets has its
    first (left) one read and the other reported by name: the exit code says a sheet failed."""
    scan = tmp_path / "batch.tif"
    # Page 2 holds the right sheet alone (the left one again would be "the same page as" page 1).
    first, second = Image.fromarray(two[0].image), Image.fromarray(two[0].image[:, -2000:])
    first.save(scan, save_all=True, append_images=[second], compression="tiff_deflate")
    out = tmp_path / "r.csv"
    code = main(["sheet", "read", str(scan), "--out", str(out), "--db", str(tmp_path / "r.db"),
                 "--model", str(model_path())])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{scan}: page 1 holds 2 sheets; sheet 2 (from the left) was not read" in err
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["page"] for r in rows] == ["1"] * 100 + ["2"] * 100
