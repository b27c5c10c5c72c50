"""Template output: files, layout.json schema, page sizes, the printed layout code."""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest
from PIL import Image

from braintank.errors import BraintankError
from braintank.sheets.printing import layout_code
from braintank.sheets.printing.layout import load_layout, make_layout
from braintank.sheets.printing.template import write_template


def test_template_files_and_layout(tmp_path):
    layout = write_template(tmp_path, 4, 3, title="Hoedown", col_labels=["A", "B", "C"])
    data = json.loads((tmp_path / "layout.json").read_text())
    png = Image.open(tmp_path / "sheet.png")
    assert data["dpi"] == 300 and data["page_px"] == list(png.size)
    assert [(c["row"], c["col"]) for c in data["cells"]] == [
        (r, c) for r in range(1, 5) for c in range(1, 4)]
    for cell in data["cells"]:
        x0, y0, x1, y1 = cell["box"]
        assert 0 <= x0 < x1 <= png.size[0] and 0 <= y0 < y1 <= png.size[1]
    assert load_layout(tmp_path / "layout.json").layout_id == layout.layout_id


def test_pdfs_are_a4_and_letter(tmp_path):
    write_template(tmp_path, 2, 2)
    sizes = [pdfium.PdfDocument(str(tmp_path / name))[0].get_size()
             for name in ("sheet.pdf", "sheet-letter.pdf")]
    assert sizes[0] == pytest.approx((595.2, 841.9), abs=1.0)
    assert sizes[1] == pytest.approx((612.0, 792.0), abs=1.0)


def test_code_round_trip_and_checksum():
    bits = layout_code.encode(17, 9, 200)
    assert layout_code.decode(bits) == (17, 9, 200)
    for i in range(len(bits)):
        flipped = list(bits)
        flipped[i] ^= 1
        assert layout_code.decode(flipped) != (17, 9, 200)


def test_variant_differs_with_text():
    assert make_layout(3, 3, "a").variant != make_layout(3, 3, "b").variant


@pytest.mark.parametrize("rows,cols", [(0, 3), (3, 0), (31, 3), (3, 17)])
def test_size_limits(rows, cols):
    with pytest.raises(BraintankError, match="rows"):
        make_layout(rows, cols)


def test_label_count_checked():
    with pytest.raises(BraintankError, match="2 row labels given for 3 rows"):
        make_layout(3, 3, row_labels=["a", "b"])


def test_bad_layout_file(tmp_path):
    path = tmp_path / "layout.json"
    path.write_text('{"dpi": 300}')
    with pytest.raises(BraintankError, match="not a braintank layout.json"):
        load_layout(path)


def test_cli_template(tmp_path, capsys):
    from braintank.cli.main import main

    assert main(["sheet", "template", "--rows", "3", "--cols", "2", "--title", "T",
                 "--row-labels", "a", "b", "c", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "layout.json", "sheet-letter.pdf", "sheet.pdf", "sheet.png"]
    assert main(["sheet", "template", "--rows", "40", "--cols", "2", "--out",
                 str(tmp_path / "x")]) == 2
    assert "1-30 rows" in capsys.readouterr().err
