"""Evaluation figures as PNG files: confusion matrix, reliability diagram, accuracy vs coverage.

Each figure is rendered off-screen (matplotlib's Agg backend) into memory and written with
an atomic rename, so a crash never leaves half an image where a good one was.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

import numpy as np

from braintank.errors import BraintankError
from braintank.evaluation.calibration import coverage_curve_on
from braintank.evaluation.metrics import ECE_BINS, expected_calibration_error, reliability_bins
from braintank.fileio import atomic_write_bytes


def _pyplot():
    # Imported on first use so `import braintank.evaluation` does not pay for matplotlib.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | os.PathLike) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    _pyplot().close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def plot_confusion_matrix(
    cm: object,
    path: str | os.PathLike,
    class_names: Sequence[str] | None = None,
    title: str = "Confusion matrix",
) -> None:
    """Heat map of counts (rows true, columns predicted) with every count written in its cell."""
    counts = np.asarray(cm)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise BraintankError(f"confusion matrix must be square and non-empty, got {counts.shape}")
    if np.any(counts < 0):
        raise BraintankError("confusion matrix contains negative counts")
    n = counts.shape[0]
    names = [str(k) for k in range(n)] if class_names is None else [str(c) for c in class_names]
    if len(names) != n:
        raise BraintankError(f"got {len(names)} class names for {n} classes")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(1.0 + 0.6 * n, 0.6 + 0.6 * n))
    # Log-like colour scale keeps rare confusions visible next to a large diagonal.
    image = ax.imshow(np.log1p(counts), cmap="Blues")
    dark_cutoff = 0.6 * float(np.log1p(counts).max() or 1.0)
    for (row, col), value in np.ndenumerate(counts):
        colour = "white" if np.log1p(value) > dark_cutoff else "black"
        ax.text(col, row, str(int(value)), ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    fig.tight_layout()
    _save(fig, path)


def plot_reliability_diagram(
    probs: object,
    labels: object,
    path: str | os.PathLike,
    n_bins: int = ECE_BINS,
    title: str = "Reliability diagram",
) -> None:
    """Accuracy per confidence bin against the diagonal of perfect calibration, with ECE."""
    bins = reliability_bins(probs, labels, n_bins)
    ece = expected_calibration_error(probs, labels, n_bins)
    edges = bins["edges"]
    centres = 0.5 * (edges[:-1] + edges[1:])
    filled = bins["count"] > 0
    width = edges[1] - edges[0]
    plt = _pyplot()
    fig, (ax, ax_count) = plt.subplots(
        2, 1, figsize=(5, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    ax.bar(centres[filled], bins["accuracy"][filled], width=width, edgecolor="black",
           label="accuracy")
    ax.bar(centres[filled], bins["confidence"][filled] - bins["accuracy"][filled],
           bottom=bins["accuracy"][filled], width=width, fill=False, hatch="//",
           edgecolor="red", label="gap to mean confidence")
    ax.plot([0, 1], [0, 1], "k--", label="perfect calibration")
    ax.set(ylabel="accuracy", xlim=(0, 1), ylim=(0, 1), title=f"{title} (ECE {ece:.4f})")
    ax.legend(loc="upper left")
    ax_count.bar(centres, bins["count"], width=width, edgecolor="black")
    ax_count.set_yscale("symlog")
    ax_count.set(xlabel="confidence (top probability)", ylabel="samples")
    fig.tight_layout()
    _save(fig, path)


def plot_coverage_curve(
    confidence: object,
    correct: object,
    path: str | os.PathLike,
    threshold: float | None = None,
    target_accuracy: float | None = None,
    title: str = "Accuracy vs coverage",
) -> None:
    """Accuracy of accepted readings against the share accepted, as confidence (the score the
    review decision compares, such as the weakest view's) is cut lower; marks the point a
    `threshold` decides at, and the `target_accuracy` line, when given."""
    curve = coverage_curve_on(confidence, correct)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(100 * curve.coverage, 100 * curve.accuracy, drawstyle="steps-post",
            label="accepted readings")
    if target_accuracy is not None:
        ax.axhline(100 * target_accuracy, color="grey", linestyle=":",
                   label=f"target {100 * target_accuracy:.2f}%")
    if threshold is not None:
        accepted = np.asarray(confidence, dtype=np.float64).ravel() >= threshold
        right = np.asarray(correct, dtype=bool).ravel()
        coverage = float(accepted.mean())
        accuracy = float(right[accepted].mean()) if accepted.any() else float("nan")
        ax.plot(100 * coverage, 100 * accuracy, "o", color="red",
                label=f"threshold {threshold:.4f}: {100 * coverage:.1f}% accepted")
    ax.set(xlabel="coverage (% of samples accepted)", ylabel="accuracy on accepted (%)",
           xlim=(0, 100), title=title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    fig.tight_layout()
    _save(fig, path)
