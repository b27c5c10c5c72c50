#!/usr/bin/env bash
# Create .venv and install braintank into it. torch comes first and pinned: a CPU wheel is
# wanted here, and an unpinned torch would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==2.13.0"
# constraints.txt (scripts/lock.sh) holds every other package at the version the tests passed
# with; a user's `pip install braintank[...]` takes the ranges in pyproject.toml instead.
.venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
# The web app's browser tests drive Debian's chromium (Playwright cannot download browsers
# here); installed only when missing, and only where apt-get can (as root).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
        && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium
fi
