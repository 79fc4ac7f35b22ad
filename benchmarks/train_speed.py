"""Training speed of the SR and depth models: milliseconds per train step.

    python benchmarks/train_speed.py --steps 50 --kernel-grad xla    # on a GPU
    python benchmarks/train_speed.py --steps 3 --sr x2_attention_t91,quick --depth sa_m1_f8_x4_rgbdd,quick

The real train step of `train/` (Adam, donated state) on random batches of
each config's shapes, already on the device: it times the model, not the input
pipeline. Median over `--steps` steps after 3 warm-up steps. Not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import jax
import numpy as np

from _steps import depth_task, sr_task, train_step


def time_steps(make, arg, kernel_grad, steps, batch_size=None):
  config, task, batch_fn = make(arg, kernel_grad)
  b = int(batch_size or config.batch_size)
  init, _, step = train_step(config, task)
  state = jax.jit(init)()
  rng = np.random.default_rng(0)
  batch = {k: jax.device_put(rng.uniform(size=s.shape).astype(s.dtype) if s.dtype != bool
                             else rng.uniform(size=s.shape) > 0.1)
           for k, s in batch_fn(b).items()}
  times = []
  for i in range(steps + 3):
    t0 = time.perf_counter()
    state, metrics = step(state, batch)
    jax.block_until_ready(metrics["loss"])
    if i >= 3:
      times.append(time.perf_counter() - t0)
  ms = 1e3 * statistics.median(times)
  return dict(config=arg, batch=b, kernel_grad=kernel_grad, ms_per_step=ms,
              examples_per_s=1e3 * b / ms, loss=float(metrics["loss"]))


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--steps", type=int, default=50)
  p.add_argument("--kernel-grad", default="xla", choices=("matmul", "xla"))
  p.add_argument("--sr", action="append", help="configs/sr.py argument (repeatable); "
                 "default: x2_attention_t91, x2_deconv_t91, x4_attention_t91")
  p.add_argument("--depth", action="append", help="configs/depth.py argument "
                 "(repeatable); default: sa_m1_f32_x8_rgbdd, djf_x8_rgbdd")
  p.add_argument("--batch-size", type=int, default=None, help="default: the config's")
  p.add_argument("--json", default=None)
  a = p.parse_args(argv)
  print(f"jax {jax.__version__} on {jax.devices()[0].device_kind}; "
        f"kernel_grad={a.kernel_grad}, median of {a.steps} steps")
  print("| config | batch | ms / step | examples / s |\n|---|---:|---:|---:|")
  rows = []
  if not (a.sr or a.depth):
    a.sr = ["x2_attention_t91", "x2_deconv_t91", "x4_attention_t91"]
    a.depth = ["sa_m1_f32_x8_rgbdd", "djf_x8_rgbdd"]
  for make, names in ((sr_task, a.sr or []), (depth_task, a.depth or [])):
    for arg in names:
      r = time_steps(make, arg, a.kernel_grad, a.steps, a.batch_size)
      rows.append(r)
      print(f"| {arg} | {r['batch']} | {r['ms_per_step']:.1f} | "
            f"{r['examples_per_s']:.1f} |", flush=True)
  if a.json:
    with open(a.json, "w") as f:
      json.dump(rows, f, indent=1)


if __name__ == "__main__":
  main()
