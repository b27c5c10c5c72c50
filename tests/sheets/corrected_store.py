"""A real review store to finetune on: simulated sheets of MNIST test digits read by the real
reader, then every written cell answered with the truth by a simulated reviewer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from reviewer import review_with_truth

from braintank.sheets.printing.layout import make_layout
from braintank.sheets.simulating.simulate import simulate_sheet
from braintank.sheets.storing.batch import read_batch
from braintank.sheets.storing.store import SheetStore


def build_corrected_store(folder: Path, classifier, images: np.ndarray, labels: np.ndarray,
                          sheets: int = 2, seed: int = 11) -> tuple[Path, list[Path]]:
    """(store path, scan paths) of `sheets` read and fully reviewed pages."""
    folder.mkdir(parents=True, exist_ok=True)
    layout = make_layout(10, 10, "Finetune test")
    rng = np.random.default_rng(seed)
    truths, scans = {}, []
    for number in range(sheets):
        sheet = simulate_sheet(layout, images, labels, rng, dpi=200)
        scan = folder / f"sheet{number}.png"
        scan.write_bytes(sheet.data)
        truths[str(scan)] = sheet.truth
        scans.append(scan)
    db = folder / "sheets.db"
    with SheetStore(db) as store:
        read_batch(scans, store, classifier, log=lambda _m: None)
        review_with_truth(store, truths)
    return db, scans
