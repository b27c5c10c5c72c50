"""The same page read again from another file (the photo inside a PDF, a second photo of the
same paper) is recognised and not asked again; another sheet of the same template is not."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from braintank.sheets.printing.layout import make_layout
from braintank.sheets.simulating import simulate
from braintank.sheets.storing.batch import read_batch
from braintank.sheets.storing.review import pending
from braintank.sheets.storing.store import SheetStore


def test_the_same_page_in_another_file_is_not_asked_again(tmp_path, mnist_test, classifier):
    images, labels = mnist_test
    layout = make_layout(5, 5, "Same page")
    rng = np.random.default_rng(8)
    page, *_ = simulate.fill_page(layout, images, labels, rng, special_rate=0.2)
    photos = [simulate._photograph(page, layout, np.random.default_rng(s), (), "thumb", False,
                                   {"dpi": 200})[0] for s in (1, 2)]
    other = simulate.simulate_sheet(layout, images, labels, rng, special_rate=0.2, dpi=200)
    (tmp_path / "photo.jpg").write_bytes(photos[0])
    (tmp_path / "again.jpg").write_bytes(photos[1])  # the same paper, photographed again
    (tmp_path / "other.jpg").write_bytes(other.data)
    pdf = io.BytesIO()
    Image.open(io.BytesIO(photos[0])).save(pdf, "PDF", resolution=150)
    (tmp_path / "batch.pdf").write_bytes(pdf.getvalue())
    with SheetStore(tmp_path / "s.db") as store:
        report = read_batch([tmp_path / n for n in ("photo.jpg", "other.jpg", "batch.pdf",
                                                    "again.jpg")],
                            store, classifier, log=lambda _m: None)
        assert report.read == 4 and not report.failed
        read = store.query("SELECT file FROM sheets WHERE status = 'read' ORDER BY id")
        assert [f for (f,) in read] == [str(tmp_path / "photo.jpg"), str(tmp_path / "other.jpg")]
        same = store.duplicates()
        assert [(f.rsplit("/", 1)[-1], p) for f, p, _e in same] == [("again.jpg", 1),
                                                                    ("batch.pdf", 1)]
        assert all(e.startswith(f"the same page as {tmp_path / 'photo.jpg'} page 1, already "
                                "read (sheet 1)") for _f, _p, e in same)
        first_id = report.sheet_ids[0]
        assert report.sheet_ids == [first_id, report.sheet_ids[1], first_id, first_id]
        asked = [(r["file"], r["row"], r["col"]) for r in pending(store)]
        assert len(asked) == len(set(asked)) and {f for f, _r, _c in asked} <= {
            str(tmp_path / "photo.jpg"), str(tmp_path / "other.jpg")}
