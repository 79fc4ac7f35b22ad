"""Forward+backward time and peak memory: AttentionUpsample vs the convolutions
a user would otherwise pick, measured side by side in one run.

    python benchmarks/layer.py            # both settings, prints one ratio table
    python benchmarks/layer.py --repeats 10 --json out.json

Each layer maps `[B, H, W, C] -> [B, S*H, S*W, C]`. The timed function is one
jitted `jax.value_and_grad` of `mean(out**2)` with respect to the parameters
and the input (what a layer costs inside a network during training). Time is
the median of `--repeats` runs after two warm-up calls; peak memory is XLA's
compiled memory analysis (arguments + outputs + temporaries - aliased).
Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax import nn as attnn
from attnup_jax import ops

SETTINGS = (
    dict(name="SR (paper)", batch=16, size=32, channels=128, kernel=5, stride=2),
    dict(name="small", batch=16, size=32, channels=64, kernel=3, stride=2),
)


class SubPixelConv(nnx.Module):
  """Convolution to S*S*Cout channels at low resolution, then depth-to-space."""

  def __init__(self, cin, cout, kernel, stride, *, rngs, **conv_kw):
    self.stride, self.cout = stride, cout
    self.conv = nnx.Conv(cin, stride * stride * cout, (kernel, kernel),
                         padding="SAME", rngs=rngs, **conv_kw)

  def __call__(self, x):
    b, h, w, _ = x.shape
    s = self.stride
    y = self.conv(x).reshape(b, h, w, s, s, self.cout)
    return y.transpose(0, 1, 3, 2, 4, 5).reshape(b, h * s, w * s, self.cout)


def make_layers(c, k, s):
  rngs = nnx.Rngs(0)
  return {
      "attention (fast)": attnn.AttentionUpsample(c, c, k, s, rngs=rngs),
      "attention (reference)": attnn.AttentionUpsample(c, c, k, s,
                                                       impl="reference", rngs=rngs),
      "nnx.ConvTranspose": nnx.ConvTranspose(c, c, (k, k), strides=(s, s),
                                             padding="SAME", rngs=rngs),
      "sub-pixel conv": SubPixelConv(c, c, k, s, rngs=rngs),
      "sub-pixel conv (ops.conv2d)": SubPixelConv(
          c, c, k, s, rngs=rngs, conv_general_dilated=ops.conv2d),
      "PhasedConvTranspose (ours, exact)": attnn.PhasedConvTranspose(c, c, k, s, rngs=rngs),
  }


def measure(layer, x, repeats):
  graphdef, params = nnx.split(layer)

  def loss(params, x):
    out = nnx.merge(graphdef, params)(x)
    return jnp.mean(jnp.square(out))

  step = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))
  compiled = step.lower(params, x).compile()
  mem = compiled.memory_analysis()
  peak = (mem.argument_size_in_bytes + mem.output_size_in_bytes +
          mem.temp_size_in_bytes - mem.alias_size_in_bytes)
  for _ in range(2):
    jax.block_until_ready(compiled(params, x))
  times = []
  for _ in range(repeats):
    t0 = time.perf_counter()
    jax.block_until_ready(compiled(params, x))
    times.append(time.perf_counter() - t0)
  n_params = sum(p.size for p in jax.tree.leaves(params))
  return dict(time_ms=1e3 * statistics.median(times), peak_mb=peak / 2**20,
              params=int(n_params))


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--repeats", type=int, default=5)
  parser.add_argument("--json", default=None, help="also write results here")
  parser.add_argument("--skip-reference", action="store_true",
                      help="skip the literal reference (slow, memory-hungry)")
  args = parser.parse_args(argv)
  print(f"jax {jax.__version__} on {jax.devices()[0].platform} "
        f"({jax.device_count()} device(s), {platform.processor() or platform.machine()})")
  results = []
  for st in SETTINGS:
    c, k, s = st["channels"], st["kernel"], st["stride"]
    x = jax.random.normal(jax.random.key(1), (st["batch"], st["size"], st["size"], c))
    rows = {}
    for name, layer in make_layers(c, k, s).items():
      if args.skip_reference and "reference" in name:
        continue
      rows[name] = measure(layer, x, args.repeats)
    results.append(dict(setting=st, rows=rows))
    base = rows["attention (fast)"]
    print(f"\n{st['name']}: B={st['batch']}, {st['size']}x{st['size']} -> "
          f"{s * st['size']}x{s * st['size']}, C={c}, K={k}, S={s}; "
          f"forward+backward, median of {args.repeats}")
    print(f"| layer | params | time (ms) | fast attention time / this | "
          f"peak memory (MiB) | fast attention memory / this |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
      print(f"| {name} | {r['params']:,} | {r['time_ms']:.1f} | "
            f"{base['time_ms'] / r['time_ms']:.3f} | {r['peak_mb']:.1f} | "
            f"{base['peak_mb'] / r['peak_mb']:.3f} |")
  if args.json:
    with open(args.json, "w") as f:
      json.dump(results, f, indent=2)


if __name__ == "__main__":
  main()
