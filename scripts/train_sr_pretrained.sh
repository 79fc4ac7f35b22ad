#!/usr/bin/env bash
# Trains the bundled SR weights: attention and deconvolution at equal budgets
# (same seed, same batches, same number of steps), then copies each run's best
# checkpoint into attnup_jax/weights/sr_x{S}_{upsampler}/.
#   bash scripts/train_sr_pretrained.sh STEPS "2 4 8" [TOKENS]
# The CPU budget of the shipped weights is in docs/RESULTS.md; on a GPU or TPU
# use the paper's setting: bash scripts/train_sr_pretrained.sh 100000 "2 4 8" ""
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200}
scales=${2:-"2 4"}
tokens=${3-skip,short}  # bicubic skip + short-run lr (the CPU budget); "" = paper
for s in $scales; do
  for up in attention deconv; do
    wd=runs/sr_x${s}_${up}
    .venv/bin/python -m train --config "configs/sr.py:x${s}_${up}_t91,${tokens}" --workdir "$wd" \
      --config.total_steps="$steps" --config.eval_every=50 --config.checkpoint_every=50 \
      --config.log_every=10
    .venv/bin/python scripts/ship_weights.py "$wd" "attnup_jax/weights/sr_x${s}_${up}"
  done
done
