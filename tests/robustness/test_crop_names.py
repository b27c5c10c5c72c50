"""Cell crops get names unique to their scan, so scans with the same file name in different
folders never overwrite each other's crops and review points at the right picture."""

from __future__ import annotations

import io
import re
from pathlib import Path

from braintank.cli.main import main
from braintank.sheets.storing.review import run_review
from braintank.sheets.storing.store import SheetStore

from .conftest import model_path


def _read(tmp_path, scans_in: list[Path], *extra: str) -> int:
    return main(["sheet", "read", *map(str, scans_in), "--out", str(tmp_path / "r.csv"),
                 "--db", str(tmp_path / "r.db"), "--crops", str(tmp_path / "crops"),
                 "--model", str(model_path()), "--quiet", *extra])


def _assert_crop_files_match_the_database(store: SheetStore) -> list[dict]:
    results = store.results()
    assert len({r["crop_path"] for r in results}) == len(results)
    for r in results:
        assert Path(r["crop_path"]).read_bytes() == store.crop_png(r["cell_id"]), r
    return results


def test_same_name_in_two_folders(tmp_path, scans, classifier, capsys):
    folder, _sheets = scans
    first, second = tmp_path / "monday" / "scan.jpg", tmp_path / "tuesday" / "scan.jpg"
    for target, source in ((first, "good1.jpg"), (second, "good2.jpg")):
        target.parent.mkdir()
        target.write_bytes((folder / source).read_bytes())
    assert _read(tmp_path, [first, second]) == 0
    assert len(list((tmp_path / "crops").iterdir())) == 200
    with SheetStore(tmp_path / "r.db") as store:
        names = {r["crop_path"] for r in _assert_crop_files_match_the_database(store)}
        out = io.StringIO()
        run_review(store, io.StringIO("s\n" * 200), out, include_all=True)
    # Each cell shown in review names its own crop, and that file is the cell's picture.
    shown = re.findall(r"\] (.+) page 1 row (\d+) col (\d+):.*\n(?:.*\n)*?crop: (.+)\n",
                       out.getvalue())
    assert shown and {c for *_, c in shown} <= names
    with SheetStore(tmp_path / "r.db") as store:
        by_cell = {(r["file"], str(r["row"]), str(r["col"])): r["crop_path"]
                   for r in store.results()}
    assert all(by_cell[(f, row, col)] == crop for f, row, col, crop in shown)
    capsys.readouterr()
    # Names are stable: reading again writes the same files, no new ones.
    assert _read(tmp_path, [second, first], "--reread") == 0
    assert len(list((tmp_path / "crops").iterdir())) == 200


def test_awkward_scan_names_still_give_crops(tmp_path, scans, classifier):
    folder, _sheets = scans
    scan = tmp_path / ("x" * 200 + "\n\t\u00e9 " + "y" * 40 + ".jpg")
    scan.write_bytes((folder / "good1.jpg").read_bytes())
    assert _read(tmp_path, [scan]) == 0
    crops = sorted((tmp_path / "crops").iterdir())
    assert len(crops) == 100
    assert all(len(c.name.encode()) <= 120 and c.name.isprintable() for c in crops)
    with SheetStore(tmp_path / "r.db") as store:
        _assert_crop_files_match_the_database(store)
