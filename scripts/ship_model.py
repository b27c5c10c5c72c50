"""Ship a finished run's model.pt as the package's default model, with its provenance.

Usage: python scripts/ship_model.py RUN_DIR
Writes src/braintank/models/default.pt (the run's model.pt, unchanged) and default.json:
the command that trained it, its seed, config, test accuracy, calibration and machine.
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
from pathlib import Path

import torch

from braintank import modelfile

MODELS = Path(__file__).resolve().parents[1] / "src" / "braintank" / "models"


def main(run_dir: Path) -> None:
    model = modelfile.load(run_dir / "model.pt").payload
    summary = json.loads((run_dir / "summary.json").read_text())
    config = model["config"]
    MODELS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run_dir / "model.pt", MODELS / "default.pt")
    command = f"braintank train --model {config['model']} --seed {config['seed']}"
    if config.get("split_seed") is not None:
        command += f" --split-seed {config['split_seed']}"
    provenance = {
        "command": command,
        "seed": config["seed"],
        "config": config,
        "test_accuracy": summary["test_accuracy"],
        "epochs_run": summary["epochs_run"],
        "train_seconds": summary["train_seconds"],
        "calibration": model["calibration"],
        "machine": f"{platform.machine()}, {summary.get('threads')} CPU threads, "
                   f"torch {torch.__version__}",
    }
    (MODELS / "default.json").write_text(json.dumps(provenance, indent=2) + "\n")
    print(f"shipped {run_dir / 'model.pt'} ({(MODELS / 'default.pt').stat().st_size} bytes)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
