"""Convolution forward+backward time: `ops.conv2d` vs `lax.conv_general_dilated`,
side by side, for the convolutions our models train (depth CNN_G / CNN_F at
HR, SR trunk at LR).

    python benchmarks/conv_grad.py                 # prints one table
    python benchmarks/conv_grad.py --repeats 5 --json out.json

Timed: one jitted `jax.grad` of `sum(conv(x, k) * g)` with respect to x and k
(input and kernel gradients, what a conv costs inside a training step),
median of `--repeats` runs after a warm-up call. `ops.conv2d` replaces XLA's
kernel gradient on CPU, which is 10-17x slower than the forward pass there;
on GPU/TPU both columns run the same XLA convolution. Not a test.
"""

from __future__ import annotations

import argparse
import json
import platform

import jax
import jax.numpy as jnp

from _timing import median_seconds
from attnup_jax import ops

DN = ("NHWC", "HWIO", "NHWC")
SHAPES = (  # name, batch, size, Cin, Cout, K
    ("depth CNN_F 9x9 (SA M1 F32)", 10, 128, 32, 64, 9),
    ("depth CNN_G 9x9 (RGB in)", 10, 128, 3, 96, 9),
    ("depth CNN_G 5x5", 10, 128, 48, 32, 5),
    ("SR trunk 3x3, F=128 (x2, HR 64)", 20, 32, 128, 128, 3),
)


def _time(fn, args, repeats):
  return median_seconds(lambda: fn(*args), repeats)


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--repeats", type=int, default=3)
  p.add_argument("--json", default=None, help="also write the rows here")
  a = p.parse_args(argv)
  convs = {
      "lax": lambda x, k: jax.lax.conv_general_dilated(x, k, (1, 1), "SAME",
                                                       dimension_numbers=DN),
      "ops.conv2d": lambda x, k: ops.conv2d(x, k, (1, 1), "SAME",
                                            dimension_numbers=DN),
  }
  print(f"backend {jax.default_backend()}, {platform.processor() or platform.machine()}")
  print(f"| conv | B x H x W x Cin -> Cout | forward ms | fwd+bwd lax ms "
        f"| fwd+bwd ops.conv2d ms | speed-up |")
  print("|---|---|---:|---:|---:|---:|")
  rows = []
  for name, b, s, cin, cout, k in SHAPES:
    key = jax.random.split(jax.random.key(0), 3)
    x = jax.random.normal(key[0], (b, s, s, cin))
    kern = jax.random.normal(key[1], (k, k, cin, cout))
    g = jax.random.normal(key[2], (b, s, s, cout))
    fwd = _time(jax.jit(convs["lax"]), (x, kern), a.repeats)
    t = {n: _time(jax.jit(jax.grad(lambda x, k, f=f: jnp.sum(f(x, k) * g), (0, 1))),
                  (x, kern), a.repeats) for n, f in convs.items()}
    row = dict(conv=name, shape=f"{b}x{s}x{s}x{cin} -> {cout}, K={k}",
               forward_ms=fwd * 1e3, lax_ms=t["lax"] * 1e3,
               conv2d_ms=t["ops.conv2d"] * 1e3,
               speedup=t["lax"] / t["ops.conv2d"])
    rows.append(row)
    print(f"| {name} | {row['shape']} | {row['forward_ms']:.0f} | {row['lax_ms']:.0f} "
          f"| {row['conv2d_ms']:.0f} | {row['speedup']:.2f}x |", flush=True)
  if a.json:
    with open(a.json, "w") as f:
      json.dump(rows, f, indent=1)


if __name__ == "__main__":
  main()
