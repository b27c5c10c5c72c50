"""What an experiment hands back, and the writer that puts it on disk.

An experiment's folder gets result.json (its numbers), summary.md (the numbers beside the
seed's, with its verdict) and one PNG per figure; every file is written atomically.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from braintank.errors import BraintankError
from braintank.fileio import atomic_write_bytes, atomic_write_text, make_folder


@dataclass
class Comparison:
    """One line of the summary table: what the seed says, what we measured, whether they agree."""

    quantity: str
    seed: str
    measured: str
    agrees: bool | None  # None: the seed gives no number to compare with
    why: str = ""


@dataclass
class ExperimentResult:
    name: str
    title: str
    quick: bool
    numbers: dict
    comparisons: list[Comparison]
    figures: dict = field(default_factory=dict)  # file stem -> matplotlib Figure
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _jsonable(value):
    """NumPy scalars/arrays -> Python; NaN/inf -> None (JSON has neither)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary_markdown(result: ExperimentResult, figure_files: list[str]) -> str:
    mode = "quick" if result.quick else "full"
    lines = [f"# {result.title} (`{result.name}`)", "",
             f"Run: {mode}, {result.seconds:.1f} s.", "",
             "| quantity | seed | measured | agrees | why |", "|---|---|---|---|---|"]
    for c in result.comparisons:
        verdict = {True: "yes", False: "no", None: "n/a"}[c.agrees]
        lines.append(f"| {c.quantity} | {c.seed} | {c.measured} | {verdict} | {c.why} |")
    if result.notes:
        lines += [""] + [f"- {note}" for note in result.notes]
    lines += [""] + [f"![{stem}]({stem})" for stem in figure_files]
    return "\n".join(lines) + "\n"


def figure_png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buffer.getvalue()


def refuse_other_experiment(out: str | Path, name: str) -> None:
    """BraintankError when `out` holds another experiment's results (its result.json names
    another, or cannot be read): a second experiment must not replace the first one's
    result.json and summary.md and leave its plots behind. The same experiment again
    replaces its own results."""
    record = Path(out) / "result.json"
    if not record.exists():
        return
    try:
        other = json.loads(record.read_text(encoding="utf-8")).get("name")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        other = None
    if other != name:
        held = (f"the results of experiment {other[:60]!r}" if isinstance(other, str)
                else "a result.json that is not an experiment's")
        raise BraintankError(f"--out {out} holds {held}; give each experiment its own "
                             f"folder (or run 'all', which makes one each)")


def write_result(result: ExperimentResult, out: str | Path) -> Path:
    """Write result.json, summary.md and the PNGs into `out`; returns the folder."""
    refuse_other_experiment(out, result.name)
    out = make_folder(out, "--out")
    figure_files = []
    for stem, fig in result.figures.items():
        atomic_write_bytes(out / f"{stem}.png", figure_png(fig))
        figure_files.append(f"{stem}.png")
    # no "engine": every experiment trains with the NumPy engine (files written before
    # carry "engine": "numpy", which the report ignores)
    payload = {"name": result.name, "title": result.title, "quick": result.quick,
               "seconds": round(result.seconds, 2),
               "numbers": _jsonable(result.numbers),
               "comparisons": [_jsonable(vars(c)) for c in result.comparisons],
               "figures": figure_files, "notes": result.notes}
    atomic_write_text(out / "result.json", json.dumps(payload, indent=2) + "\n")
    atomic_write_text(out / "summary.md", summary_markdown(result, figure_files))
    return out
