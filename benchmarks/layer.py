"""Forward+backward time and peak memory: AttentionUpsample (every impl) vs the
convolutions a user would otherwise pick, all measured side by side in one run.

    python benchmarks/layer.py                       # 2 settings x float32/bfloat16
    python benchmarks/layer.py --repeats 5 --json out.json
    python benchmarks/layer.py --dtypes float32 --skip "attention (reference)"
    python benchmarks/layer.py --memory-only     # compile only: peak memory, no timing
    python benchmarks/layer.py --memory-only --only "attention (fast)"

Each layer maps `[B, H, W, C] -> [B, S*H, S*W, C]`. The timed function is one
jitted `jax.value_and_grad` of `mean(out**2)` with respect to the parameters
and the input (what a layer costs inside a network during training). Time is
the median of `--repeats` runs after one warm-up call; peak memory is XLA's
compiled memory analysis (arguments + outputs + temporaries - aliased). In
bfloat16 the input and the computation are bfloat16 (`dtype=jnp.bfloat16`),
parameters float32. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform

import jax
import jax.numpy as jnp
from flax import nnx

from _timing import median_seconds
from attnup_jax import nn as attnn
from attnup_jax import ops

SETTINGS = (
    dict(name="SR (paper)", batch=16, size=32, channels=128, kernel=5, stride=2),
    dict(name="small", batch=16, size=32, channels=64, kernel=3, stride=2),
)
DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16}
FAST, CONVT, SUBPIXEL, REFERENCE = ("attention (fast)", "nnx.ConvTranspose",
                                    "sub-pixel conv (nnx.Conv)", "attention (reference)")
SUBPIXEL_OPS = "sub-pixel conv (ops.conv2d)"
WHOLE = "attention (fast, row_chunk=None)"
CHUNKED = "attention (fast, batch_chunk=2)"
STRIDED = "attention (fast, batch_chunk=2, strided)"


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


# Row label -> AttentionUpsample options (the rest its defaults): the one list
# of attention rows; benchmarks/tpu_compile.py compiles the same rows.
ATTENTION = {
    FAST: {},
    "attention (fast, strip_update='write')": dict(strip_update="write"),
    "attention (fast, strip_update='add')": dict(strip_update="add"),
    WHOLE: dict(row_chunk=None),
    CHUNKED: dict(row_chunk=None, batch_chunk=2),
    "attention (fast, batch_chunk=4)": dict(row_chunk=None, batch_chunk=4),
    STRIDED: dict(row_chunk=None, batch_chunk=2, chunk_layout="strided"),
    "attention (shifted: same, sums over shifted slices)": dict(impl="shifted",
                                                                row_chunk=None),
    "attention (shifted, batch_chunk=2)": dict(impl="shifted", row_chunk=None,
                                               batch_chunk=2),
    "attention (highres: HR queries, same core)": dict(impl="highres", row_chunk=None),
    "attention (loop: previous core)": dict(impl="loop", row_chunk=None),
    REFERENCE: dict(impl="reference", row_chunk=None),
}


def make_layers(c, k, s, dtype, attention=ATTENTION, kernel_grad="matmul"):
  """Row label -> a function that builds that layer, `[B, H, W, c] -> [B, S*H, S*W, c]`:
  the `attention` rows, then the convolutions a user would otherwise pick;
  `kernel_grad` is `ops.conv2d`'s (the sub-pixel conv and PhasedConvTranspose rows)."""
  rngs = nnx.Rngs(0)
  layers = {name: functools.partial(attnn.AttentionUpsample, c, c, k, s, dtype=dtype,
                                    rngs=rngs, **options)
            for name, options in attention.items()}
  return layers | {
      CONVT: lambda: nnx.ConvTranspose(c, c, (k, k), strides=(s, s), padding="SAME",
                                       dtype=dtype, rngs=rngs),
      SUBPIXEL: lambda: SubPixelConv(c, c, k, s, dtype=dtype, rngs=rngs),
      SUBPIXEL_OPS: lambda: SubPixelConv(
          c, c, k, s, dtype=dtype, conv_general_dilated=ops.conv2d_with(kernel_grad),
          rngs=rngs),
      "PhasedConvTranspose (ours, exact)": lambda: attnn.PhasedConvTranspose(
          c, c, k, s, dtype=dtype, kernel_grad=kernel_grad, rngs=rngs),
  }


def loss_grad(layer):
  """(the jitted `value_and_grad` of `mean(out**2)` (float32) with respect to
  the parameters and the input, the parameters): the one benchmark step of a
  layer (also benchmarks/tpu_compile.py's)."""
  graphdef, params = nnx.split(layer)

  def loss(params, x):
    out = nnx.merge(graphdef, params)(x)
    return jnp.mean(jnp.square(out.astype(jnp.float32)))

  return jax.jit(jax.value_and_grad(loss, argnums=(0, 1))), params


def measure(layer, x, repeats):
  """Peak memory (MiB) and, unless `repeats` is 0, the median time (ms)."""
  step, params = loss_grad(layer)
  compiled = step.lower(params, x).compile()
  mem = compiled.memory_analysis()
  peak = (mem.argument_size_in_bytes + mem.output_size_in_bytes +
          mem.temp_size_in_bytes - mem.alias_size_in_bytes)
  seconds = (median_seconds(lambda: compiled(params, x), repeats) if repeats
             else float("nan"))
  n_params = sum(p.size for p in jax.tree.leaves(params))
  return dict(time_ms=1e3 * seconds, peak_mb=peak / 2**20,
              params=int(n_params))


def print_table(st, dtype, rows, repeats):
  print(f"\n**{st['name']}, {dtype}:** B={st['batch']}, {st['size']}x{st['size']} -> "
        f"{st['stride'] * st['size']}x{st['stride'] * st['size']}, C={st['channels']}, "
        f"K={st['kernel']}, S={st['stride']}; forward+backward, median of {repeats}")
  base = rows[FAST]
  print("| layer | params | time (ms) | fast attention time / this | "
        "peak memory (MiB) | fast attention memory / this |")
  print("|---|---:|---:|---:|---:|---:|")
  for name, r in rows.items():
    print(f"| {name} | {r['params']:,} | {r['time_ms']:.1f} | "
          f"{base['time_ms'] / r['time_ms']:.3f} | {r['peak_mb']:.1f} | "
          f"{base['peak_mb'] / r['peak_mb']:.3f} |")


def print_targets(results):
  """The issue's targets, from this run's numbers."""
  by = {(r["setting"]["name"], r["dtype"]): r["rows"] for r in results}
  print("\n| target | setting | measured | met? |\n|---|---|---|---|")
  line = lambda t, s, m, ok: print(f"| {t} | {s} | {m} | {'yes' if ok else '**no**'} |")
  for (name, dtype), rows in by.items():
    for label in (FAST, WHOLE, CHUNKED, STRIDED):
      if label in rows:
        _targets(line, by, name, dtype, rows, label)


def _targets(line, by, name, dtype, rows, label):
  row, short = rows[label], label[len("attention "):]
  if CONVT in rows:
    ratio = row["peak_mb"] / rows[CONVT]["peak_mb"]
    line(f"{short}: peak memory <= nnx.ConvTranspose's", f"{name}, {dtype}",
         f"{row['peak_mb']:.1f} / {rows[CONVT]['peak_mb']:.1f} MiB = {ratio:.2f}x",
         ratio <= 1.0)
  timed = row["time_ms"] == row["time_ms"]            # not NaN (--memory-only)
  if SUBPIXEL in rows and timed:
    ratio = row["time_ms"] / rows[SUBPIXEL]["time_ms"]
    line(f"{short}: time <= 0.5x sub-pixel conv (nnx.Conv)", f"{name}, {dtype}",
         f"{row['time_ms']:.0f} / {rows[SUBPIXEL]['time_ms']:.0f} ms = {ratio:.2f}x",
         ratio <= 0.5)
  if REFERENCE in rows and timed:
    ratio = rows[REFERENCE]["time_ms"] / row["time_ms"]
    line(f"{short}: >= 5x faster than the reference", f"{name}, {dtype}",
         f"{rows[REFERENCE]['time_ms']:.0f} / {row['time_ms']:.0f} ms = {ratio:.2f}x",
         ratio >= 5.0)
  if dtype == "bfloat16" and label in by.get((name, "float32"), {}):
    f32 = by[(name, "float32")][label]["peak_mb"]
    ratio = row["peak_mb"] / f32
    line(f"{short}: bfloat16 peak memory <= 0.6x float32", name,
         f"{row['peak_mb']:.1f} / {f32:.1f} MiB = {ratio:.2f}x", ratio <= 0.6)


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--repeats", type=int, default=3)
  parser.add_argument("--json", default=None, help="also write results here")
  parser.add_argument("--dtypes", default="float32,bfloat16")
  parser.add_argument("--settings", default="SR (paper),small")
  parser.add_argument("--memory-only", action="store_true",
                      help="compile only: report peak memory, time nothing")
  parser.add_argument("--untimed", action="append", default=[],
                      help="report this layer's memory but do not time it (repeatable)")
  parser.add_argument("--skip", action="append", default=[],
                      help="skip this layer (repeatable), e.g. 'attention (reference)'")
  parser.add_argument("--only", action="append", default=[],
                      help="measure only this layer beside the fast attention (repeatable), "
                      "e.g. nnx.ConvTranspose; the fast attention alone: --only 'attention (fast)'")
  args = parser.parse_args(argv)
  print(f"jax {jax.__version__} on {jax.devices()[0].platform} "
        f"({jax.device_count()} device(s), {platform.processor() or platform.machine()})")
  results = []
  for st in SETTINGS:
    if st["name"] not in args.settings.split(","):
      continue
    c, k, s = st["channels"], st["kernel"], st["stride"]
    for dtype_name in args.dtypes.split(","):
      dtype = DTYPES[dtype_name]
      x = jax.random.normal(jax.random.key(1),
                            (st["batch"], st["size"], st["size"], c)).astype(dtype)
      repeats = 0 if args.memory_only else args.repeats
      rows = {name: measure(make(), x, 0 if name in args.untimed else repeats)
              for name, make in make_layers(c, k, s, dtype).items()
              if name not in args.skip
              and (not args.only or name in args.only or name == FAST)}
      results.append(dict(setting=st, dtype=dtype_name, rows=rows))
      print_table(st, dtype_name, rows, args.repeats)
  print_targets(results)
  if args.json:
    with open(args.json, "w") as f:
      json.dump(results, f, indent=2)


if __name__ == "__main__":
  main()
