#!/usr/bin/env bash
# The test command of the README and of CI: set up .venv, then run the suite
# on two workers (each sees 8 forced CPU devices, see tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n 2 -q --durations=15 "$@"
