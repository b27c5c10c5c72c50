"""A run folder's per-epoch log (metrics.jsonl) and its learning-curve plot (curves.png).

One JSON object per line, one line per epoch, appended with fsync so a killed run keeps
every finished epoch. Keys used by both engines: epoch, train_loss, train_acc, val_loss,
val_acc, lr, seconds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from braintank.errors import BraintankError
from braintank.fileio import atomic_write_text

METRICS_FILE = "metrics.jsonl"
CURVES_FILE = "curves.png"


def open_new_run(run_dir: str | os.PathLike, config: dict, checkpoint_name: str) -> Path:
    """Create a run folder with config.json and an empty log; refuse one that holds a run."""
    run_dir = Path(run_dir)
    if (run_dir / checkpoint_name).exists():
        raise BraintankError(f"{run_dir} already holds a run; use --resume {run_dir} to "
                             "continue it or choose another --out")
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / "config.json", json.dumps(config, indent=2) + "\n")
    write_metrics(run_dir, [])
    return run_dir


def read_metrics(run_dir: str | os.PathLike) -> list[dict]:
    path = Path(run_dir) / METRICS_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_metrics(run_dir: str | os.PathLike, rows: list[dict]) -> None:
    """Replace the log with `rows` (used on resume to drop epochs after the checkpoint)."""
    text = "".join(json.dumps(row) + "\n" for row in rows)
    atomic_write_text(Path(run_dir) / METRICS_FILE, text)


def append_metrics(run_dir: str | os.PathLike, row: dict) -> None:
    path = Path(run_dir) / METRICS_FILE
    with open(path, "a") as handle:
        handle.write(json.dumps(row) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def plot_learning_curves(rows: list[dict], path: str | os.PathLike, title: str = "") -> None:
    """Loss and accuracy per epoch, training beside validation, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [row["epoch"] for row in rows]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (("train_loss", "train"), ("val_loss", "validation")):
        values = [row.get(key) for row in rows]
        if any(v is not None for v in values):
            ax_loss.plot(epochs, values, marker="o", label=label)
    for key, label in (("train_acc", "train"), ("val_acc", "validation")):
        values = [row.get(key) for row in rows]
        if any(v is not None for v in values):
            ax_acc.plot(epochs, [100 * v if v is not None else None for v in values],
                        marker="o", label=label)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    tmp = Path(path).with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)
