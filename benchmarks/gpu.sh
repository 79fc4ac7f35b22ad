#!/usr/bin/env bash
# One prepared GPU run: installs the CUDA jax wheels into a fresh venv, then
# measures the layer (benchmarks/layer.py, every impl, 2 settings x float32 /
# bfloat16) and 50 train steps of the SR and depth models, and writes one
# table, $OUT/gpu.md (plus the JSON of each part).
#
#   bash benchmarks/gpu.sh                      # OUT defaults to ./gpu_out
#   WHEELS=/path/to/wheels bash benchmarks/gpu.sh   # offline: pip --no-index
#
# Run it as one call when a GPU is available; see docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu_out}
VENV=${VENV:-/tmp/attnup-gpu-venv}
mkdir -p "$OUT"
python3 -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install -q)
if [[ -n "${WHEELS:-}" ]]; then PIP+=(--no-index --find-links "$WHEELS"); fi
"${PIP[@]}" "jax[cuda12]==0.10.2" -e .
PY="$VENV/bin/python"
"$PY" -c "import jax; assert jax.default_backend() == 'gpu', jax.devices(); print(jax.devices())"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader > "$OUT/gpu_name.txt" || true
{
  echo "# GPU benchmarks ($(cat "$OUT/gpu_name.txt" 2>/dev/null), $(date -u +%F))"
  echo
  echo '## `benchmarks/layer.py --repeats 10`'
  "$PY" benchmarks/layer.py --repeats 10 --json "$OUT/layer.json"
  echo
  echo '## `benchmarks/train_speed.py --steps 50 --kernel-grad xla`'
  "$PY" benchmarks/train_speed.py --steps 50 --kernel-grad xla --json "$OUT/train_xla.json"
  echo
  echo '## `benchmarks/train_speed.py --steps 50 --kernel-grad matmul`'
  "$PY" benchmarks/train_speed.py --steps 50 --kernel-grad matmul --json "$OUT/train_matmul.json"
} 2>&1 | tee "$OUT/gpu.md"
