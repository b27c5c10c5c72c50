"""Plain-text rendering of a classification report dict (see metrics.classification_report)."""

from __future__ import annotations

from braintank.errors import BraintankError

_COLUMNS = ("precision", "recall", "f1", "specificity", "fpr", "fnr")
_REQUIRED = ("accuracy", "per_class", "macro", "confusion_matrix")
_CORNER = "true\\pred"


def _rate_row(label: str, rates: dict, support: str) -> str:
    cells = "".join(f"{rates[name]:>12.4f}" for name in _COLUMNS)
    return f"{label:<8}{cells}{support:>10}"


def _metrics_table(report: dict) -> list[str]:
    header = f"{'class':<8}" + "".join(f"{name:>12}" for name in _COLUMNS) + f"{'support':>10}"
    lines = [header, "-" * len(header)]
    for row in report["per_class"]:
        lines.append(_rate_row(str(row["class"]), row, str(row["support"])))
    lines.append("-" * len(header))
    total = sum(row["support"] for row in report["per_class"])
    lines.append(_rate_row("macro", report["macro"], str(total)))
    return lines


def _summary(report: dict) -> list[str]:
    lines = [f"accuracy: {report['accuracy']:.4f}"]
    if report.get("ece") is not None:
        lines.append(f"ECE ({report.get('ece_bins', 15)} bins): {report['ece']:.4f}")
    if report.get("nll") is not None:
        lines.append(f"NLL: {report['nll']:.4f}")
    return lines


def _confusion_text(matrix: list[list[int]]) -> list[str]:
    width = max(5, max(len(str(v)) for row in matrix for v in row) + 1)
    header = f"{_CORNER:<10}" + "".join(f"{k:>{width}}" for k in range(len(matrix)))
    lines = ["confusion matrix (rows true, columns predicted):", header]
    for k, row in enumerate(matrix):
        lines.append(f"{k:<10}" + "".join(f"{v:>{width}}" for v in row))
    return lines


def format_report(report: dict) -> str:
    """Readable table: per-class rates, macro row, accuracy/ECE/NLL, confusion matrix, notes."""
    missing = [key for key in _REQUIRED if key not in report]
    if missing:
        raise BraintankError(f"report is missing keys: {', '.join(missing)}")
    sections = [
        _metrics_table(report),
        _summary(report),
        _confusion_text(report["confusion_matrix"]),
    ]
    notes = report.get("zero_division") or []
    if notes:
        sections.append(["rates set to 0 because undefined (zero division):"]
                        + [f"  {note}" for note in notes])
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"
