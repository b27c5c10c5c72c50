#!/usr/bin/env bash
# The main job, a first run that shows everything within 3 minutes on 2 CPU cores:
# install, verify MNIST, train the `fast` preset (99% in one epoch), evaluate it, print a
# score-sheet template, simulate a phone photo of it filled in by hand, read that photo into
# a CSV with the shipped calibrated model, and print where every output is.
#   bash scripts/main.sh          the first run
#   bash scripts/main.sh --full   train the default network (`cnn`, as shipped) instead:
#                                 11-30 minutes on 2 CPU cores
set -euo pipefail
cd "$(dirname "$0")/.."
preset=fast
case "${1:-}" in
    "") ;;
    --full) preset=cnn ;;
    *) echo "usage: bash scripts/main.sh [--full]" >&2; exit 2 ;;
esac
started=$SECONDS
bash scripts/install.sh
installed=$SECONDS
export BRAINTANK_DATA="${BRAINTANK_DATA:-$(cd .. && pwd)/shared/datasets}"
bt=.venv/bin/braintank
run="runs/main-$(date +%Y%m%d-%H%M%S)"
step() { printf '\n== %s\n' "$*"; }

step "1/6 verify MNIST (SHA-256 of the four files)"
$bt data verify
step "2/6 train the '$preset' preset"
$bt train --model "$preset" --seed 0 --out "$run/train"
step "3/6 evaluate it on the 10,000 MNIST test digits"
$bt eval --model "$run/train/model.pt" --out "$run/eval" | grep -E '^(accuracy|ECE|review)' 
step "4/6 print a score sheet (10 judges x 10 scores)"
$bt sheet template --rows 10 --cols 10 --title "braintank first run" --out "$run/sheet"
step "5/6 simulate a phone photo of it, filled in with MNIST test digits"
$bt sheet simulate --layout "$run/sheet/layout.json" --out "$run/photo.jpg" \
    --truth "$run/truth.csv"
step "6/6 read the photo into a CSV (shipped model; unsure boxes go to review)"
$bt sheet read --layout "$run/sheet/layout.json" --db "$run/sheets.db" \
    --out "$run/scores.csv" --quiet "$run/photo.jpg"

.venv/bin/python scripts/first_run_summary.py "$run" \
    --seconds "$((SECONDS - installed))" --install-seconds "$((installed - started))"
