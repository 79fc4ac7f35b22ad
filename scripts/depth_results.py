"""The depth results table of docs/RESULTS.md: bicubic, DJF and SA M1 F32 at
equal budgets, for each factor, on the full RGB-D-D test split and Lu.

    python scripts/depth_results.py                       # runs/depth_x{M}_{model}
    python scripts/depth_results.py --factors 8 --datasets rgbdd --json runs/depth_rmse.json

Each model is a training workdir (`runs/depth_x{M}_{djf,sa_m1_f32}`, written by
`scripts/train_depth_pretrained.sh`; its best checkpoint) or, with
`--bundled`, the bundled SA weights `depth_x{M}_sa_m1_f32` (DJF always from
its workdir). Protocol as `attnup evaluate --task depth`. The JSON is the
`--results` input of `scripts/depth_param_plot.py`.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from attnup_jax.evaluation import depth as ev  # noqa: E402
from attnup_jax.inference.loading import load_model  # noqa: E402

MODELS = (("djf", "DJF"), ("sa_m1_f32", "SA M1 F32"))


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--factors", default="4,8,16")
  p.add_argument("--datasets", default="rgbdd,lu")
  p.add_argument("--runs", default="runs", help="folder of the training workdirs")
  p.add_argument("--bundled", action="store_true",
                 help="SA from the bundled weights instead of its workdir")
  p.add_argument("--max_images", type=int, default=None)
  p.add_argument("--json", default=None, help="also write {model: {factor: rmse}} "
                 "on the first dataset here")
  a = p.parse_args(argv)
  factors = [int(f) for f in a.factors.split(",")]
  datasets = [d.strip().lower() for d in a.datasets.split(",") if d.strip()]
  rows = {d: {} for d in datasets}          # dataset -> method -> factor -> rmse
  units = {}
  for m in factors:
    pairs = {d: ev.depth_test_set(d, m, max_images=a.max_images) for d in datasets}
    for d in datasets:
      r = ev.evaluate_depth(ev.bicubic_predict(m), pairs[d])
      rows[d].setdefault("Bicubic", {})[m] = r["rmse"]
      units[d] = ev.UNIT_LABELS.get(r["units"], r["units"])
    for name, label in MODELS:
      spec = (f"depth_x{m}_{name}" if a.bundled and name != "djf"
              else str(pathlib.Path(a.runs) / f"depth_x{m}_{name}"))
      try:
        model = load_model(spec)
      except (OSError, ValueError) as e:
        print(f"skipping {label} x{m}: {e}", file=sys.stderr)
        continue
      for d in datasets:
        r = ev.evaluate_depth(model, pairs[d])
        rows[d].setdefault(label, {})[m] = r["rmse"]
      print(f"x{m} {label}: " + ", ".join(
          f"{d} {rows[d][label][m]:.3f}" for d in datasets), flush=True)
  cols = " | ".join(f"x{m}" for m in factors)
  print(f"\n| method | test set | units | {cols} | vs bicubic |")
  print("|---|---|---|" + "---:|" * len(factors) + "---|")
  for d in datasets:
    bic = rows[d]["Bicubic"]
    for label, by_m in rows[d].items():
      cells = " | ".join(f"{by_m[m]:.3f}" if m in by_m else "-" for m in factors)
      rel = ", ".join(f"x{m} {100 * (by_m[m] / bic[m] - 1):+.1f}%"
                      for m in factors if m in by_m) if label != "Bicubic" else ""
      print(f"| {label} | {d} | {units[d]} | {cells} | {rel} |")
  if a.json:
    names = {label: name for name, label in MODELS} | {"Bicubic": "bicubic"}
    d0 = datasets[0]
    out = {names[l]: {str(m): v for m, v in by_m.items()}
           for l, by_m in rows[d0].items() if l in names}
    pathlib.Path(a.json).write_text(json.dumps(out, indent=1))
  return 0


if __name__ == "__main__":
  sys.exit(main())
