#!/usr/bin/env bash
# The CPU recipe (configs/depth.py `cpu` token, docs/RESULTS.md): for each factor,
# the bilateral-attention model, DJF and SA M1 F8 (with the `stable` fix) at equal
# budgets (same steps, batches, seed), each selected on the held-back 'val' split.
# Resumable: rerunning continues every run from its last checkpoint. Nothing is
# shipped: copy a run into attnup_jax/weights/ (scripts/ship_weights.py) only
# after it meets the targets on the test sets, evaluated once at the end.
#   bash scripts/train_depth_cpu.sh "8 4 16" [RUNS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
factors=${1:-"8 4 16"}
runs=${2:-runs}
py=${PYTHON:-.venv/bin/python}
for m in $factors; do
  for cfg in bilateral_attention djf,residual sa_m1_f8,residual,stable; do
    name=${cfg%%,*}
    tokens=${cfg#"$name"}
    nice -n 19 "$py" -m train --config "configs/depth.py:${name}_x${m}_rgbdd${tokens},cpu" \
      --workdir "$runs/depth_x${m}_${name}"
  done
done
