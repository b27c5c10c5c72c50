#!/usr/bin/env bash
# Install, then run the test suite (slow checks excluded; run them with: -m slow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export BRAINTANK_DATA="${BRAINTANK_DATA:-$(cd .. && pwd)/shared/datasets}"
.venv/bin/ruff check src tests benchmarks
.venv/bin/lint-imports  # layers in pyproject.toml [tool.importlinter]
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir "$(mktemp -d)"
.venv/bin/python -m pytest -n 2 "$@"
