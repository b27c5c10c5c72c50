"""`braintank experiment NAME --out DIR`: re-run one of the course's experiments.

`--list` prints the names; `all` runs every one into DIR/NAME and joins them in
DIR/report.html.
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "experiment", help="reproduce one of the course's experiments (plots, JSON, summary)",
        description="Reproduce a course experiment: writes PNG plots, result.json and "
                    "summary.md (measured numbers beside the seed's) into --out.")
    parser.add_argument("name", nargs="?", help="experiment name (see --list), or 'all'")
    parser.add_argument("--list", action="store_true", help="print the experiment names")
    parser.add_argument("--quick", action="store_true",
                        help="small subsets and few epochs: seconds instead of minutes")
    parser.add_argument("--out", help="output folder")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from braintank.errors import BraintankError
    from braintank.experiments import available, run_and_write
    from braintank.experiments.registry import check_experiment
    from braintank.experiments.report import write_html_report
    from braintank.experiments.result import refuse_other_experiment
    from braintank.fileio import make_folder

    if args.list:
        print("\n".join(available()))
        return 0
    if not args.name:
        raise BraintankError("experiment: give a NAME (see --list) or 'all'")
    if not args.out:
        raise BraintankError("experiment: --out DIR is required")
    progress = not args.no_progress
    names = available() if args.name == "all" else [args.name]
    if args.name != "all":
        check_experiment(args.name)
    for name in names:  # before the work, not after it
        refuse_other_experiment(args.out if args.name != "all" else Path(args.out) / name,
                                name)
    out = make_folder(args.out, "--out")  # a bad folder is refused before the work
    if args.name != "all":
        folder = run_and_write(args.name, args.out, args.quick, progress)
        print(f"{args.name}: wrote {folder / 'summary.md'}")
        return 0
    folders = []
    for name in names:
        folders.append(run_and_write(name, out / name, args.quick, progress))
        print(f"{name}: wrote {folders[-1] / 'summary.md'}")
    report = write_html_report(folders, Path(out) / "report.html")
    print(f"report: {report}")
    return 0
