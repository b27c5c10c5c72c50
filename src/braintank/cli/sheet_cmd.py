"""`braintank sheet template|simulate|read|review|export` (and results, delete: see
sheet_results_cmd.py): the score-sheet workflow."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from braintank.cli.runtime import add_runtime_argument

DEFAULT_DB = "sheets.db"
# `sheet simulate` writes the format its --out name promises: True for JPEG.
SIMULATE_FORMATS = {".jpg": True, ".jpeg": True, ".png": False}
# `sheet simulate --dpi`: from a page too small to place to one far bigger than a phone's.
MIN_SIM_DPI, MAX_SIM_DPI = 30, 1200


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sheet", help="printable score sheets: template, read scans, review, export",
        description="Print a template, read scans or photos of filled sheets into a results "
                    "database, review doubtful cells, export the final CSV; `simulate` makes "
                    "a filled-in photo of a template, to try the reader without paper.")
    sub = p.add_subparsers(dest="sheet_command", metavar="STEP", required=True)
    _register_template(sub)
    _register_simulate(sub)
    _register_read(sub)
    _register_review(sub)
    _register_export(sub)
    from braintank.cli import sheet_results_cmd  # results, delete

    sheet_results_cmd.register(sub)


def _register_template(sub) -> None:
    p = sub.add_parser("template", help="write a printable sheet (PDF, PNG) and layout.json")
    p.add_argument("--rows", type=int, required=True, help="number of rows of boxes (1-30)")
    p.add_argument("--cols", type=int, required=True, help="number of columns of boxes (1-16)")
    p.add_argument("--title", default="", help="title printed at the top of the sheet")
    p.add_argument("--row-labels", nargs="+", metavar="LABEL",
                   help="one label per row, printed left of it (default 1..rows)")
    p.add_argument("--col-labels", nargs="+", metavar="LABEL",
                   help="one label per column, printed above it (default 1..cols)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder for sheet.pdf (A4), sheet-letter.pdf, sheet.png, layout.json")
    p.set_defaults(func=run_template)


def _register_simulate(sub) -> None:
    p = sub.add_parser(
        "simulate", help="make a filled-in photo of a template, to try the reader without paper",
        description="Fill the template's boxes with handwritten digits (MNIST test digits; a "
                    "few boxes left empty) and photograph the page as a phone would (turned, "
                    "in perspective, uneven light, noise, JPEG), or scan it flat (--scan). "
                    "For trying `braintank sheet read` without printing and writing a sheet.")
    p.add_argument("--layout", required=True, metavar="JSON",
                   help="layout.json of the template (from `braintank sheet template`)")
    p.add_argument("--out", required=True, metavar="IMAGE",
                   help="image to write: .jpg or .jpeg (JPEG) or .png (lossless)")
    p.add_argument("--seed", type=int, default=0,
                   help="the same seed gives the same image, byte for byte (default 0)")
    p.add_argument("--scan", action="store_true",
                   help="a flat 300-dpi scan instead of a phone photo")
    mishaps = p.add_argument_group("mishaps", "what goes wrong with real photos (the reader "
                                   "must read what it can and send the rest to a person)")
    mishaps.add_argument("--dpi", type=float, metavar="DPI",
                         help="photo resolution (default: random, 150-600); below about 90 "
                         "dpi on a 10x10 template the reader sends every cell to review")
    mishaps.add_argument("--cross-lines", action="store_true",
                         help="every digit written against or across a line of its box "
                         "(normally 15%%)")
    mishaps.add_argument("--cut-edge", choices=("left", "top", "right", "bottom", "any"),
                         help="the photo's edge cuts through the outermost boxes on that side "
                         "(bottom cuts off the layout code too, so the page is refused; the "
                         "other sides stop short of the code, so a narrow grid may lose no "
                         "box to a left or right cut)")
    p.add_argument("--truth", metavar="CSV", help="also write the digits really written, as "
                   "file,page,row,col,digit (blank: empty box), to compare with the read CSV")
    p.add_argument("--data-dir", help="folder holding mnist/ (else $BRAINTANK_DATA, cache, ...)")
    p.set_defaults(func=run_simulate)


def _register_read(sub) -> None:
    p = sub.add_parser("read", help="read filled sheets (PNG, JPEG, TIFF, PDF) into a CSV")
    p.add_argument("scans", nargs="+", metavar="SCAN", help="scans or photos; PDFs may have "
                   "several pages")
    p.add_argument("--layout", metavar="JSON", help="layout.json of the template; pages of "
                   "another template are then refused (default: use the code printed on "
                   "each page)")
    p.add_argument("--out", required=True, metavar="CSV", help="CSV to write: file,page,row,"
                   "col,digit,confidence,status,reason")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database (default {DEFAULT_DB})")
    p.add_argument("--crops", metavar="DIR", help="folder for the cell crops (default: "
                   "<CSV name>-crops beside the CSV)")
    p.add_argument("--model", help="braintank model file, or a shipped model: default (the "
                   "default), student (distilled: faster, a little less sure)")
    p.add_argument("--threshold", type=float, help="confidence below which a digit goes to "
                   "review (default: the model's calibrated threshold)")
    add_runtime_argument(p)
    p.add_argument("--reread", action="store_true", help="read pages again even if the "
                   "database has them (corrections are kept)")
    p.add_argument("--quiet", action="store_true", help="print only problems and the summary")
    p.set_defaults(func=run_read)


def _register_review(sub) -> None:
    p = sub.add_parser("review", help="type the digit of each doubtful cell in the terminal")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database (default {DEFAULT_DB})")
    p.add_argument("--all", action="store_true", help="go through every written cell, not "
                   "only those marked review")
    p.set_defaults(func=run_review)


def _register_export(sub) -> None:
    p = sub.add_parser("export", help="write the final CSV with corrections applied")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database (default {DEFAULT_DB})")
    p.add_argument("--out", required=True, metavar="CSV", help="CSV to write")
    p.set_defaults(func=run_export)


def _existing_store(path: str):
    from braintank.errors import BraintankError
    from braintank.sheets.storing.store import SheetStore

    if not Path(path).is_file():
        raise BraintankError(f"{path}: no results database (run `braintank sheet read` first)")
    return SheetStore(path)


def run_template(args: argparse.Namespace) -> int:
    from braintank.sheets.printing.template import write_template

    layout = write_template(args.out, args.rows, args.cols, args.title, args.row_labels,
                            args.col_labels)
    print(f"wrote {args.out}/sheet.pdf, sheet-letter.pdf, sheet.png, layout.json "
          f"(template {layout.layout_id}, {len(layout.cells)} boxes)")
    return 0


def _simulate_format(args: argparse.Namespace) -> bool:
    """Check the outputs of `sheet simulate` before any work; True when --out is a JPEG."""
    from braintank.errors import BraintankError
    from braintank.fileio import refuse_overwriting_inputs, refuse_unwritable_place

    refuse_overwriting_inputs(args.out, [args.layout], "--out")
    if args.truth:
        refuse_overwriting_inputs(args.truth, [args.layout, args.out], "--truth")
    if args.seed < 0:
        raise BraintankError(f"--seed must be 0 or more, got {args.seed}")
    if args.dpi is not None and not MIN_SIM_DPI <= args.dpi <= MAX_SIM_DPI:
        raise BraintankError(f"--dpi must be between {MIN_SIM_DPI} and {MAX_SIM_DPI}, "
                             f"got {args.dpi:g}")
    if args.scan and (args.dpi is not None or args.cut_edge):
        raise BraintankError("--scan is a whole flat 300-dpi page: no --dpi or --cut-edge")
    for option, path in (("--out", args.out), ("--truth", args.truth)):
        if path is None:
            continue
        if Path(path).is_dir():
            raise BraintankError(f"{option} {path} is a folder; give a file name")
        refuse_unwritable_place(path, option)
    suffix = Path(args.out).suffix.lower()
    if suffix not in SIMULATE_FORMATS:
        raise BraintankError(f"--out {args.out}: name a .jpg, .jpeg or .png file "
                             f"(the image format follows the name)")
    return SIMULATE_FORMATS[suffix]


def run_simulate(args: argparse.Namespace) -> int:
    import numpy as np

    from braintank.csvfile import write_csv
    from braintank.data import load_split
    from braintank.fileio import atomic_write_bytes
    from braintank.sheets.printing.layout import load_layout
    from braintank.sheets.simulating.simulate import (
        CROSS_RATE,
        TRUTH_COLUMNS,
        scan_sheet,
        simulate_sheet,
        truth_rows,
    )

    jpeg = _simulate_format(args)
    layout = load_layout(args.layout)
    images, labels = load_split("mnist", "test", args.data_dir)
    rng = np.random.default_rng(args.seed)
    cross_rate = 1.0 if args.cross_lines else CROSS_RATE
    if args.scan:
        # A page never lies quite straight on the glass.
        sheet = scan_sheet(layout, images, labels, rng, angle=float(rng.uniform(-2, 2)),
                           jpeg_quality=90 if jpeg else None, cross_rate=cross_rate)
    else:
        sheet = simulate_sheet(layout, images, labels, rng, jpeg=jpeg, dpi=args.dpi,
                               cross_rate=cross_rate, cut=args.cut_edge)
    atomic_write_bytes(args.out, sheet.data)
    if args.truth:
        write_csv(args.truth, TRUTH_COLUMNS, truth_rows(sheet, args.out))
    written = sum(digit is not None for digit in sheet.truth.values())
    truth = f"; truth in {args.truth}" if args.truth else ""
    cut = f", {len(sheet.outside)} cut off by the photo's edge" if args.cut_edge else ""
    print(f"wrote {args.out} (simulated {'scan' if args.scan else 'phone photo'}, "
          f"{sheet.dpi:.0f} dpi, template {layout.layout_id}: {written} boxes written, "
          f"{len(sheet.truth) - written} empty{cut}){truth}")
    read = ["braintank", "sheet", "read", args.out, "--layout", args.layout, "--out",
            "results.csv"]
    print(f"read it: {shlex.join(read)}")
    return 0


def _refuse_outputs_that_are_inputs(args: argparse.Namespace, out: Path, crops: Path) -> None:
    """Nothing is written when an output is a scan, the layout or the database."""
    from braintank.fileio import refuse_overwriting_inputs

    inputs = [*args.scans, args.layout]
    refuse_overwriting_inputs(args.db, inputs, "--db")
    refuse_overwriting_inputs(out, [*inputs, args.db], "--out")
    refuse_overwriting_inputs(crops, [*inputs, args.db, out],
                              "--crops" if args.crops else "the crops folder")


def run_read(args: argparse.Namespace) -> int:
    from braintank.cli.runtime import load_classifier
    from braintank.errors import BraintankError
    from braintank.sheets.printing.layout import load_layout
    from braintank.sheets.storing.batch import read_batch
    from braintank.sheets.storing.export import export_csv
    from braintank.sheets.storing.labels import save_template_text
    from braintank.sheets.storing.store import SheetStore

    if args.threshold is not None and not 0 <= args.threshold <= 1:
        raise BraintankError(f"--threshold must be between 0 and 1, got {args.threshold}")
    out = Path(args.out)
    crops = Path(args.crops) if args.crops else out.with_name(out.stem + "-crops")
    _refuse_outputs_that_are_inputs(args, out, crops)
    layout = load_layout(args.layout) if args.layout else None
    classifier = load_classifier(args.model, args.runtime, args.threshold)
    with SheetStore(args.db) as store:
        if layout is not None:  # its labels and title name the cells in every export
            save_template_text(store, layout)
        log = (lambda _m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
        report = read_batch(args.scans, store, classifier, layout, crops, args.reread, log)
        if args.quiet:
            for _file, _page, message in report.failed:
                print(f"skipped: {message}", file=sys.stderr)
        rows = export_csv(store, out, report.sheet_ids)
        statuses = [r["status"] for r in store.results(report.sheet_ids)]
    print(f"{report.read} pages read, {report.skipped} already in {args.db}, "
          f"{len(report.failed)} failed; {rows} cells -> {out} "
          f"({statuses.count('ok')} ok, {statuses.count('review')} review, "
          f"{statuses.count('empty')} empty); crops in {crops}")
    return 1 if report.failed else 0


def run_review(args: argparse.Namespace) -> int:
    from braintank.sheets.storing.review import run_review as review

    if hasattr(sys.stdin, "reconfigure"):
        # Bytes that are not text become U+FFFD, an answer asked again, not a traceback.
        sys.stdin.reconfigure(errors="replace")
    with _existing_store(args.db) as store:
        counts = review(store, sys.stdin, sys.stdout, include_all=args.all)
    print(f"{counts['corrected']} corrected, {counts['skipped']} skipped, "
          f"{counts['left']} left to review")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from braintank.fileio import refuse_overwriting_inputs
    from braintank.sheets.storing.export import export_csv

    refuse_overwriting_inputs(args.out, [args.db], "--out")
    with _existing_store(args.db) as store:
        rows = export_csv(store, args.out)
    print(f"{rows} cells -> {args.out}")
    return 0
