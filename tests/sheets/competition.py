"""A simulated competition: 20 contestants x 7 judges over 3 phone-photographed sheets (two
7-row templates and a 6-row one), names with commas, quotes, accents and formula starters;
and its result computed from the truth alone (not with braintank's code)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

TITLE = 'Hoedown, "Finals" =2025'
CONTESTANTS = ['=Zoë "Z"', "+Åsa, L", "-Jo Ö", "@Ilse Mö", "Ana", "Bo", "Cy", "Dee",
               "Émile, f", 'Fay "Kid"', "Gus", "Hal", "Ivo", "Jan", "Kai", "Lou", "Mo", "Ned",
               "Ola", "Pia"]
JUDGES = ["J=1", "Anne, B", '"Q"', "Łukasz", "-5", "Fé", "G"]
PARTS = ((0, 7), (7, 14), (14, 20))


def layouts():
    from braintank.sheets.printing.layout import make_layout

    return [make_layout(end - start, len(JUDGES), TITLE, CONTESTANTS[start:end], JUDGES)
            for start, end in PARTS]


def simulate(mnist_test, folder: Path, seed: int = 3) -> list[tuple[Path, object, object]]:
    """(scan path, layout, SimSheet) of the three sheets; a few boxes empty, a few odd marks
    (struck out, two digits) that the reader sends to review."""
    from braintank.sheets.simulating.simulate import simulate_sheet

    images, labels = mnist_test
    rng = np.random.default_rng(seed)
    sheets = []
    for number, layout in enumerate(layouts(), 1):
        sheet = simulate_sheet(layout, images, labels, rng, empty_rate=0.08, special_rate=0.06,
                               dpi=200)
        path = folder / f"finals-{number}.jpg"
        path.write_bytes(sheet.data)
        sheets.append((path, layout, sheet))
    return sheets


def truth_scores(sheets) -> dict[str, dict[str, int | None]]:
    """contestant -> judge -> the digit written (None: nothing readable)."""
    table: dict[str, dict[str, int | None]] = {}
    for (start, _end), (_path, _layout, sheet) in zip(PARTS, sheets, strict=True):
        for (row, col), digit in sheet.truth.items():
            table.setdefault(CONTESTANTS[start + row - 1], {})[JUDGES[col - 1]] = digit
    return table


def truth_result(table: dict[str, dict[str, int | None]]) -> dict[str, tuple[int, int]]:
    """contestant -> (total, rank), rank = 1 + how many have a higher total."""
    totals = {name: sum(d for d in scores.values() if d is not None)
              for name, scores in table.items()}
    return {name: (total, 1 + sum(t > total for t in totals.values()))
            for name, total in totals.items()}
