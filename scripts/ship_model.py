"""Ship a finished run's model.pt as one of the package's models, with its provenance.

Usage: python scripts/ship_model.py RUN_DIR [--name default|student]
Writes src/braintank/models/NAME.pt (the run's model.pt, unchanged) and NAME.json: the
command that trained it, its seed, config, test accuracy, calibration and machine. Build its
int8 copy afterwards (`training.int8.build_int8`), since the old one no longer matches.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
from pathlib import Path

import torch

from braintank import modelfile

MODELS = Path(__file__).resolve().parents[1] / "src" / "braintank" / "models"


def main(run_dir: Path, name: str = "default") -> None:
    model = modelfile.load(run_dir / "model.pt").payload
    summary = json.loads((run_dir / "summary.json").read_text())
    config = model["config"]
    MODELS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run_dir / "model.pt", MODELS / f"{name}.pt")
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
    (MODELS / f"{name}.json").write_text(json.dumps(provenance, indent=2) + "\n")
    print(f"shipped {run_dir / 'model.pt'} as {name} "
          f"({(MODELS / f'{name}.pt').stat().st_size} bytes)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--name", default="default", choices=("default", "student"))
    args = parser.parse_args()
    sys.exit(main(args.run_dir, args.name))
