#!/usr/bin/env bash
# Trains SA M1 F32 and the DJF baseline on RGB-D-D train at equal budgets (same
# seed, same batches, same number of steps) for each factor, then copies the
# SA run's best checkpoint into attnup_jax/weights/depth_x{M}_sa_m1_f32/.
#   bash scripts/train_depth_pretrained.sh STEPS "4 8 16" [TOKENS] [CROP]
# The CPU budget of the shipped weights is in docs/RESULTS.md (residual token,
# 64-pixel crops, batch 8). On a GPU or TPU use the paper's setting:
#   bash scripts/train_depth_pretrained.sh 200000 "4 8 16" "" 256
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200}
factors=${2:-"4 8 16"}
tokens=${3-residual,short}  # bicubic residual + short-run lr (CPU budget); "" = paper
crop=${4:-64}
batch=$([ "$crop" -ge 256 ] && echo 10 || echo 8)
for m in $factors; do
  for model in sa_m1_f32 djf; do
    wd=runs/depth_x${m}_${model}
    .venv/bin/python -m train --config "configs/depth.py:${model}_x${m}_rgbdd,${tokens}" \
      --workdir "$wd" --config.total_steps="$steps" --config.data.crop="$crop" \
      --config.batch_size="$batch" --config.eval_every=100 --config.checkpoint_every=100 \
      --config.log_every=10 --config.data.eval_max_images=10
  done
  .venv/bin/python scripts/ship_weights.py "runs/depth_x${m}_sa_m1_f32" \
    "attnup_jax/weights/depth_x${m}_sa_m1_f32"
done
