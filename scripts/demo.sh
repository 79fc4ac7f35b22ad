#!/usr/bin/env bash
# The README's main job: set up .venv, then run the demo (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/attnup demo "$@"
