"""`braintank sheet results|delete`: the competition's table, and taking a sheet out."""

from __future__ import annotations

import argparse

SHOWN_OPEN = 5


def register(sub) -> None:
    from braintank.cli.sheet_cmd import DEFAULT_DB

    p = sub.add_parser("results", help="contestants x judges with total, mean and rank "
                       "(CSV, XLSX or PDF)",
                       description="The table the competition publishes: each contestant (the "
                                   "template's row labels) scored by each judge (its column "
                                   "labels), with total, mean and rank; ties share a rank. "
                                   "Contestants with cells still to decide are marked not "
                                   "final and those cells are listed; the table is written "
                                   "all the same.")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database (default {DEFAULT_DB})")
    p.add_argument("--out", required=True, metavar="FILE", help="results.csv (one line per "
                   "contestant), results.xlsx or results.pdf (30 contestants a page)")
    p.add_argument("--sheet", type=int, action="append", metavar="ID",
                   help="only this sheet (repeat it; default: every sheet read)")
    p.set_defaults(func=run_results)

    p = sub.add_parser("delete", help="take a sheet out of the results (its answers are kept)",
                       description="Take a sheet out of the results and the review queue. "
                                   "The answers given on it stay in the store's log, and come "
                                   "back if the same page is read again.")
    p.add_argument("sheet", metavar="ID|SCAN", help="the sheet's id (as the web app's sheet "
                   "page shows it), or the scan it was read from (every page of it)")
    p.add_argument("--page", type=int, help="with a scan: only this page")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database (default {DEFAULT_DB})")
    p.add_argument("--who", default="braintank sheet delete", help="name kept with the deletion")
    p.set_defaults(func=run_delete)


def run_results(args: argparse.Namespace) -> int:
    from braintank.cli.sheet_cmd import _existing_store
    from braintank.errors import BraintankError
    from braintank.fileio import refuse_overwriting_inputs
    from braintank.sheets.tallying.results import WHY, compute_results
    from braintank.sheets.tallying.results_files import results_format, write_results

    results_format(args.out)  # before anything is read
    refuse_overwriting_inputs(args.out, [args.db], "--out")
    with _existing_store(args.db) as store:
        rows = store.results(args.sheet)
        known = {r[0] for r in store.query("SELECT id FROM sheets WHERE status = 'read'")}
    missing = sorted(set(args.sheet or ()) - known)
    if missing:
        raise BraintankError(f"{args.db}: no sheet {', '.join(map(str, missing))}")
    if not rows:
        raise BraintankError(f"{args.db}: no sheet read yet (run `braintank sheet read`)")
    results = compute_results(rows)
    write_results(results, args.out)
    print(f"{len(results.contestants)} contestants x {len(results.judges)} judges -> {args.out}"
          + (f"; {results.not_final} not final" if results.not_final else "; all final"))
    opened = results.open_cells()
    for name, judge, score in opened[:SHOWN_OPEN]:
        print(f"  not final: {name} / {judge}: {WHY[score.state]} ({', '.join(score.where)})")
    if len(opened) > SHOWN_OPEN:
        print(f"  and {len(opened) - SHOWN_OPEN} more cells (listed in {args.out})")
    return 0


def _sheet_ids(store, args: argparse.Namespace) -> list[int]:
    from braintank.errors import BraintankError
    from braintank.sheets.storing.batch import file_sha256

    if args.sheet.isdigit() and args.page is None:
        return [int(args.sheet)]
    found = [sid for sid, page in store.query(
        "SELECT id, page FROM sheets WHERE sha256 = ? AND status IN ('read', 'duplicate') "
        "ORDER BY page", (file_sha256(args.sheet),)) if args.page in (None, page)]
    if not found:
        raise BraintankError(f"{args.sheet}: no page of it is in {args.db}"
                             + (f" as page {args.page}" if args.page is not None else ""))
    return found


def run_delete(args: argparse.Namespace) -> int:
    from braintank.cli.sheet_cmd import _existing_store
    from braintank.sheets.storing.answers import delete_sheet

    with _existing_store(args.db) as store:
        for sheet_id in _sheet_ids(store, args):
            gone = delete_sheet(store, sheet_id, args.who)
            print(f"sheet {gone['deleted']} ({gone['file']} page {gone['page']}) deleted; "
                  f"{gone['answers_kept']} answers given on it stay in the log")
    return 0
