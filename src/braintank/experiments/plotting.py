"""Matplotlib on the Agg backend (no display), imported only when an experiment draws."""

from __future__ import annotations


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def curves_figure(title: str, panels: list[tuple[str, dict[str, list[float]]]],
                  xlabel: str = "epoch"):
    """One row of line plots; each panel is (y label, {series label: values})."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for ax, (ylabel, series) in zip(axes[0], panels, strict=True):
        for label, values in series.items():
            ax.plot(range(1, len(values) + 1), values, label=label)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
