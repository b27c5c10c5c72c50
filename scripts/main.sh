#!/usr/bin/env bash
# The main job: install, train the default network on MNIST, evaluate it, read sample images.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export BRAINTANK_DATA="${BRAINTANK_DATA:-$(cd .. && pwd)/shared/datasets}"
run="runs/main-$(date +%Y%m%d-%H%M%S)"
.venv/bin/braintank train --model cnn --seed 0 --out "$run"
.venv/bin/braintank eval --model "$run/model.pt" --out "$run/eval"
.venv/bin/braintank data samples --count 8 --out "$run/samples"
.venv/bin/braintank predict --model "$run/model.pt" --show "$run/samples/seen" "$run"/samples/*.png
echo "run folder: $run (curves.png, eval/confusion.png, samples/)"
