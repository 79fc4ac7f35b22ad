"""The classical depth baselines (paper Table II rows JBU and GF): choose
their parameters on RGB-D-D train, and evaluate them with bicubic on the
test sets.

    python scripts/depth_baselines.py tune                 # grid on train, prints the best
    python scripts/depth_baselines.py eval --json runs/depth_baselines.json

`tune` scores every grid point on every `--stride`-th image of the 'train'
split (first 300 sorted RGB-D-D ids; never val or test) at x4, x8 and x16 by
the mean per-image RMSE; the chosen values are written in
`attnup_jax/baselines/{jbu,guided_filter}.py` (JBU_PARAMS, GF_PARAMS).
`eval` runs bicubic, JBU and GF with those parameters on the full RGB-D-D
test split (81 images) and Lu/Middlebury (45), decoding each set once.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import jax  # noqa: E402

from attnup_jax.baselines import (classical_predicts,  # noqa: E402
                                  guided_filter_upsample, jbu_upsample)
from attnup_jax.evaluation.depth import (bicubic_predict,  # noqa: E402
                                         depth_test_set, evaluate_depth)

JBU_GRID = dict(sigma_spatial=(0.35, 0.5, 0.7), sigma_range=(0.1, 0.2, 0.4, 0.8))
GF_GRID = dict(radius=(2, 4, 8), eps=(1e-4, 1e-3, 1e-2))


def methods(m: int) -> dict:
  """{row name: fn(depth_lr, guide) -> normalised prediction} at factor m."""
  return {"Bicubic": bicubic_predict(m), **classical_predicts(m)}


def tune(a) -> None:
  for m in a.factors:
    b = depth_test_set("rgbdd", m, "train")[::a.stride]
    print(f"tuning on {len(b)} RGB-D-D train images (every {a.stride}th)")
    bic = evaluate_depth(methods(m)["Bicubic"], b)["rmse"]
    print(f"x{m} bicubic {bic:.4f} cm", flush=True)
    for name, fn, grid in (("JBU", jbu_upsample, JBU_GRID),
                           ("GF", guided_filter_upsample, GF_GRID)):
      scores = {}
      for vals in itertools.product(*grid.values()):
        kw = dict(zip(grid, vals))
        f = jax.jit(lambda d, g, kw=kw: fn(d, g, m, **kw))
        scores[vals] = evaluate_depth(f, b)["rmse"]
        print(f"  x{m} {name} {kw}: {scores[vals]:.4f}", flush=True)
      best = min(scores, key=scores.get)
      print(f"x{m} {name} best {dict(zip(grid, best))}: {scores[best]:.4f} cm "
            f"({scores[best] / bic:.3f}x bicubic)", flush=True)


def run_eval(a) -> None:
  out = {}
  for name in a.datasets:
    for m in a.factors:
      t0 = time.perf_counter()
      pairs = depth_test_set(name, m, "test")          # decoded once per factor
      print(f"{name} x{m}: {len(pairs)} images decoded in "
            f"{time.perf_counter() - t0:.1f} s", flush=True)
      for row, fn in methods(m).items():
        t0 = time.perf_counter()
        r = evaluate_depth(fn, pairs)
        out.setdefault(name, {}).setdefault(row, {})[m] = r["rmse"]
        print(f"{name:6s} x{m:<2d} {row:8s} {r['rmse']:7.3f} {r['units']} "
              f"({r['num_images']} images, {time.perf_counter() - t0:.1f} s)",
              flush=True)
  if a.json:
    pathlib.Path(a.json).write_text(json.dumps(out, indent=1))


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("cmd", choices=("tune", "eval"))
  p.add_argument("--factors", default="4,8,16")
  p.add_argument("--datasets", default="rgbdd,lu")
  p.add_argument("--stride", type=int, default=5)
  p.add_argument("--json", default=None)
  a = p.parse_args(argv)
  a.factors = [int(f) for f in a.factors.split(",")]
  a.datasets = [d for d in a.datasets.split(",") if d]
  (tune if a.cmd == "tune" else run_eval)(a)
  return 0


if __name__ == "__main__":
  sys.exit(main())
