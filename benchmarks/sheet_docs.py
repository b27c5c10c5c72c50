"""Make the docs site's sheet pictures (docs/sheets/): a template, a simulated phone photo of it
filled in, its CSV.

    python benchmarks/sheet_docs.py [--model PATH]   # writes docs/sheets/
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from braintank.cli.main import main as cli
from braintank.data import load_split
from braintank.sheets.printing.template import write_template
from braintank.sheets.simulating.simulate import simulate_sheet

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "sheets"), help="output folder")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    images, labels = load_split("mnist", "test")
    with tempfile.TemporaryDirectory() as tmp:
        layout = write_template(tmp, 10, 10, "The Handwritten Hoedown",
                                row_labels=[f"Team {i}" for i in range(1, 11)],
                                col_labels=[f"J{i}" for i in range(1, 11)])
        shutil.copy(Path(tmp) / "sheet.png", out / "template.png")
        shutil.copy(Path(tmp) / "layout.json", out / "layout.json")
        sheet = simulate_sheet(layout, images, labels, np.random.default_rng(3), dpi=170,
                               angle=9.0)
        (out / "photo.jpg").write_bytes(sheet.data)
        model = ["--model", str(Path(args.model).resolve())] if args.model else []
        cwd = os.getcwd()
        os.chdir(out)  # so the CSV names the photo as it sits beside it
        try:
            cli(["sheet", "read", "photo.jpg", "--layout", "layout.json", "--out", "photo.csv",
                 "--db", str(Path(tmp) / "docs.db"), "--crops", str(Path(tmp) / "crops"),
                 *model])
        finally:
            os.chdir(cwd)


if __name__ == "__main__":
    main()
