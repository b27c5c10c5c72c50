"""Reading batches end to end through the CLI: results, bad input, crops, layout checks."""

from __future__ import annotations

import csv
import struct
import zlib

import numpy as np
from conftest import model_path
from PIL import Image

from braintank.cli.main import main
from braintank.sheets.printing.template import write_template


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous size (a decompression bomb)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def _rows(path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _check_against_truth(rows: list[dict], sheet) -> None:
    ok = [r for r in rows if r["status"] == "ok"]
    right = sum(int(r["digit"]) == sheet.truth[(int(r["row"]), int(r["col"]))] for r in ok)
    # A floor any usable model clears (the client needs 95 %); a cell cut from the wrong
    # place reads as noise and would fall far below it.
    assert right >= 0.95 * len(ok)
    for r in rows:
        empty = sheet.truth[(int(r["row"]), int(r["col"]))] is None
        assert (r["status"] == "empty") == empty
        assert r["digit"] == "" or r["status"] == "ok"


def test_batch_with_bad_input(tmp_path, scans, classifier, layout, capsys):
    folder, sheets = scans
    write_template(tmp_path / "tpl", 10, 10, "Test sheet")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "blank.png").write_bytes(b"")
    Image.fromarray(np.full((1500, 1100), 240, np.uint8)).save(bad / "blank-page.png")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (900, 700), dtype=np.uint8)).save(bad / "noise.png")
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF")
    (bad / "bomb.png").write_bytes(_png_claiming(60000, 60000))
    (bad / "cut.jpg").write_bytes(sheets["good1.jpg"].data[:5000])
    pages = [Image.open(folder / "good2.jpg"), Image.fromarray(np.full((2200, 1700), 250,
                                                                       np.uint8))]
    pages[0].save(bad / "two-pages.pdf", save_all=True, append_images=pages[1:],
                  resolution=260)
    scans_in = [folder / "good1.jpg", bad / "blank.png", bad / "blank-page.png",
                bad / "noise.png", bad / "corrupt.pdf", bad / "bomb.png", bad / "cut.jpg",
                folder / "upside-down.jpg", folder / "other-template.jpg",
                bad / "two-pages.pdf", bad / "missing.jpg"]
    out = tmp_path / "results.csv"
    code = main(["sheet", "read", *map(str, scans_in), "--layout",
                 str(tmp_path / "tpl" / "layout.json"), "--out", str(out),
                 "--db", str(tmp_path / "r.db"), "--model", str(model_path())])
    err = capsys.readouterr().err
    assert code == 1
    for name, reason in [("blank.png", ""), ("blank-page.png", "markers"),
                         ("noise.png", "markers"), ("corrupt.pdf", "PDF"),
                         ("bomb.png", "too large"),
                         ("cut.jpg", ""), ("other-template.jpg", "different template"),
                         ("two-pages.pdf", "page 2"), ("missing.jpg", "not found")]:
        line = next((x for x in err.splitlines() if name in x and "skipped" in x), None)
        assert line is not None and reason in line, (name, err)
    rows = _rows(out)
    by_file: dict[str, list] = {}
    for r in rows:
        by_file.setdefault(r["file"].split("/")[-1] + ":" + r["page"], []).append(r)
    assert sorted(by_file) == ["good1.jpg:1", "two-pages.pdf:1", "upside-down.jpg:1"]
    assert all(len(v) == 100 for v in by_file.values())
    _check_against_truth(by_file["good1.jpg:1"], sheets["good1.jpg"])
    _check_against_truth(by_file["upside-down.jpg:1"], sheets["upside-down.jpg"])
    _check_against_truth(by_file["two-pages.pdf:1"], sheets["good2.jpg"])
    crops = list((tmp_path / "results-crops").glob("*.png"))
    assert len(crops) == 300


def test_read_review_export(tmp_path, scans, classifier, monkeypatch, capsys):
    folder, sheets = scans
    db, out = str(tmp_path / "r.db"), tmp_path / "first.csv"
    args = ["sheet", "read", str(folder / "good1.jpg"), "--db", db, "--out", str(out),
            "--model", str(model_path()), "--threshold", "0.999"]
    assert main(args) == 0
    review = [r for r in _rows(out) if r["status"] == "review"]
    assert review, "a 0.999 threshold leaves cells to review"
    truth = sheets["good1.jpg"].truth
    answers = []
    for r in review:
        digit = truth[(int(r["row"]), int(r["col"]))]
        answers.append("e" if digit is None else str(digit))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("\n".join(answers) + "\n"))
    assert main(["sheet", "review", "--db", db]) == 0
    assert f"{len(review)} corrected" in capsys.readouterr().out
    assert main([*args, "--reread"]) == 0  # reading again must not lose the answers
    final = tmp_path / "final.csv"
    assert main(["sheet", "export", "--db", db, "--out", str(final)]) == 0
    rows = _rows(final)
    assert not [r for r in rows if r["status"] == "review"]
    for r in rows:
        if r["status"] == "corrected":
            assert int(r["digit"]) == truth[(int(r["row"]), int(r["col"]))]


def test_export_without_database(tmp_path, capsys):
    assert main(["sheet", "export", "--db", str(tmp_path / "none.db"), "--out",
                 str(tmp_path / "x.csv")]) == 2
    assert "no results database" in capsys.readouterr().err


def test_read_with_the_int8_runtime(tmp_path, scans, classifier):
    """`sheet read --runtime onnx-int8` reads the page as the float model does."""
    folder, sheets = scans
    outs = {}
    for runtime in ("torch", "onnx-int8"):
        outs[runtime] = tmp_path / f"{runtime}.csv"
        assert main(["sheet", "read", str(folder / "good1.jpg"), "--db",
                     str(tmp_path / f"{runtime}.db"), "--out", str(outs[runtime]),
                     "--model", str(model_path()), "--runtime", runtime]) == 0
    rows = {runtime: _rows(path) for runtime, path in outs.items()}
    _check_against_truth(rows["onnx-int8"], sheets["good1.jpg"])
    same = sum(a["digit"] == b["digit"] and a["status"] == b["status"]
               for a, b in zip(rows["torch"], rows["onnx-int8"], strict=True))
    assert same >= 98, same  # 100 cells; a borderline confidence may cross the threshold
