#!/usr/bin/env bash
# Write constraints.txt: the exact versions of every package .venv holds (torch aside: it is
# pinned by install.sh, and its local "+cpu" build is not on PyPI). Run it after a change of
# dependencies once the tests pass, and commit the file: scripts/install.sh (so CI) installs
# within it, so CI tests the versions this file names and not whatever is newest that day.
set -euo pipefail
cd "$(dirname "$0")/.."
{
    echo "# Versions the test suite passed with; written by scripts/lock.sh, read by install.sh."
    .venv/bin/python -m pip freeze --exclude-editable | grep -v -i '^torch=='
} > constraints.txt.tmp
mv constraints.txt.tmp constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages"
