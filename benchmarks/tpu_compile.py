"""Deviceless TPU v5e compilation of the layer and the SR and depth train steps.

Proves that they lower for TPU and reports XLA's TPU memory analysis and cost
estimates, without a TPU: `jax.experimental.topologies` describes a v5e chip
and XLA's TPU compiler (the `libtpu` wheel) compiles for it ahead of time.

Setup, once: libtpu lives in its own environment, so that its presence never
changes what the CPU jax of the project does (it is not a dependency):

    python -m venv --without-pip /work/venv-tpu
    /work/main/.venv/bin/python -m pip install --no-deps \
        --target /work/venv-tpu/lib/python3.11/site-packages "libtpu==0.0.42.*"
    /work/main/.venv/bin/python -c "import site; print(site.getsitepackages()[0])" \
        > /work/venv-tpu/lib/python3.11/site-packages/main-venv.pth

(libtpu 0.0.42 is what `jax[tpu]==0.10.2` pins.) Run:

    TPU_ACCELERATOR_TYPE=v5litepod-4 TPU_WORKER_HOSTNAMES=localhost JAX_PLATFORMS=cpu \
      PYTHONPATH=. /work/venv-tpu/bin/python benchmarks/tpu_compile.py [--json out.json]

Reported per program: temporaries, arguments + outputs + temporaries -
aliased, and XLA's own `peak_memory_in_bytes` from
`compiled.memory_analysis()`, and `flops` /
`bytes accessed` from `compiled.cost_analysis()`. XLA's cost analysis counts a
loop body once, whatever its trip count, so the cost columns are left out
("loop") for programs with a `while` loop; compare traffic only between
loop-free programs. Train steps are compiled at two batch sizes (and, with
`--sr-chunk G`, the attention SR configs again with `model.attention_chunk=G`);
the largest batch per chip is the largest whose XLA peak fits the chip's
16 GiB HBM, from a linear fit of that peak against batch, checked by
compiling at it. The
train steps use `kernel_grad="xla"` (XLA's own convolution gradient, what TPU
runs best).
"""

from __future__ import annotations

import argparse
import json

import jax
import jax.numpy as jnp
from jax.experimental import topologies
from jax.sharding import SingleDeviceSharding

import layer                      # benchmarks/layer.py
from _steps import depth_task, sr_task, train_step

HBM_GIB = 16.0                     # TPU v5e: 16 GiB HBM per chip


def device():
  topo = topologies.get_topology_desc(platform="tpu", topology_name="v5e:2x2")
  return topo.devices[0]


def abstract(tree, sharding):
  return jax.tree.map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=sharding),
                      tree)


def report(compiled) -> dict:
  mem, cost = compiled.memory_analysis(), compiled.cost_analysis()
  loop = " while(" in compiled.as_text() or "= while" in compiled.as_text()
  peak = (mem.argument_size_in_bytes + mem.output_size_in_bytes +
          mem.temp_size_in_bytes - mem.alias_size_in_bytes)
  return dict(temp_mib=mem.temp_size_in_bytes / 2**20, peak_mib=peak / 2**20,
              xla_peak_mib=getattr(mem, "peak_memory_in_bytes", 0) / 2**20,
              loop=loop, gflops=None if loop else cost.get("flops", 0) / 1e9,
              traffic_gb=None if loop else cost.get("bytes accessed", 0) / 1e9)


# ------------------------------------------------------------------ the layer

# Attention rows beyond benchmarks/layer.py's (whose rows this compiles too).
TPU_ATTENTION = {
    "attention (fast, batch_chunk=1)": dict(row_chunk=None, batch_chunk=1),
    "attention (shifted, batch_chunk=1)": dict(impl="shifted", row_chunk=None,
                                               batch_chunk=1),
    "attention (shifted, batch_chunk=4)": dict(impl="shifted", row_chunk=None,
                                               batch_chunk=4),
    "attention (shifted, batch_chunk=2, strided)": dict(
        impl="shifted", row_chunk=None, batch_chunk=2, chunk_layout="strided"),
}


def layer_programs(sharding, dtype=jnp.float32, batch=16, size=32, c=128, k=5, s=2):
  """Forward+backward of benchmarks/layer.py's layers (less the reference and
  the sub-pixel conv by `ops.conv2d`, here XLA's own) and `TPU_ATTENTION`, SR
  setting, `kernel_grad="xla"`; in bfloat16 the input and the computation
  are bfloat16, parameters float32."""
  makers = layer.make_layers(c, k, s, dtype, attention=layer.ATTENTION | TPU_ATTENTION,
                             kernel_grad="xla")
  layers = {name: make() for name, make in makers.items()
            if name not in (layer.REFERENCE, layer.SUBPIXEL_OPS)}
  x = jax.ShapeDtypeStruct((batch, size, size, c), dtype, sharding=sharding)
  rows = {}
  for name, module in layers.items():
    step, params = layer.loss_grad(module)
    rows[name] = report(step.lower(abstract(params, sharding), x).compile())
    rows[name]["output_mib"] = batch * (s * size) ** 2 * c * jnp.dtype(dtype).itemsize / 2**20
  return rows


# -------------------------------------------------------------- train steps

def fit_peak(r) -> float:
  """The peak a train step's fit uses: XLA's own peak, else args + outputs + temporaries."""
  return r["xla_peak_mib"] or r["peak_mib"]


def train_step_rows(make, arg, sharding, batches, chunk=None, strip_update=None):
  config, task, batch = make(arg, "xla")
  if chunk:
    config.model.attention_chunk = chunk    # a SuperResolutionNet argument
  if strip_update:
    config.model.attention_strip_update = strip_update     # likewise
  _, state, step = train_step(config, task)
  compile_at = lambda b: report(step.lower(abstract(state, sharding),
                                           abstract(batch(b), sharding)).compile())
  rows = {b: compile_at(b) for b in batches}
  (b0, r0), (b1, r1) = list(rows.items())[0], list(rows.items())[-1]
  per_example = (fit_peak(r1) - fit_peak(r0)) / (b1 - b0)
  fixed = fit_peak(r0) - per_example * b0
  largest = int((HBM_GIB * 1024 - fixed) // per_example)
  check = None
  for _ in range(6):                 # the fit can overshoot: shrink until it compiles
    try:
      check = compile_at(largest)
      break
    except jax.errors.JaxRuntimeError as e:
      if "RESOURCE_EXHAUSTED" not in str(e):
        raise
      largest = int(largest * 0.8)
  name = f"{arg} (attention_chunk={chunk})" if chunk else arg
  name += f" (strip_update={strip_update})" if strip_update and "attention" in arg else ""
  return dict(config=name, rows=rows, per_example_mib=per_example, fixed_mib=fixed,
              largest_batch=largest if check else None,
              largest_batch_peak_mib=fit_peak(check) if check else None)


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--json", default=None)
  p.add_argument("--skip-layer", action="store_true", help="train steps only")
  p.add_argument("--layer-dtype", default="float32", choices=("float32", "bfloat16"),
                 help="the layer programs' input and computation dtype")
  p.add_argument("--sr", action="append", help="configs/sr.py argument (repeatable); "
                 "default: x2_attention_t91 and x2_deconv_t91")
  p.add_argument("--sr-chunk", type=int, action="append", default=[],
                 help="also compile each attention SR config with this "
                 "`model.attention_chunk` (repeatable)")
  p.add_argument("--sr-strip-update", default="write",
                 help="the SR models' attention_strip_update: 'write' (default: the "
                 "least TPU memory), 'add', or '' for the model's default")
  p.add_argument("--sr-batches", default="20,320",
                 help="the two SR batch sizes of the fit (comma-separated)")
  p.add_argument("--depth", action="append", help="configs/depth.py argument "
                 "(repeatable); default: sa_m1_f32_x8_rgbdd")
  args = p.parse_args(argv)
  sharding = SingleDeviceSharding(device())
  print(f"jax {jax.__version__}, compiling for {device().device_kind} (deviceless)")
  dtype = jnp.dtype(args.layer_dtype)
  layer_rows = {} if args.skip_layer else layer_programs(sharding, dtype)
  print(f"\n**Layer, forward+backward, {dtype.name}, B=16, 32x32 -> 64x64, C=128, K=5, "
        f"S=2** (output {32 * dtype.itemsize // 4} MiB)")
  print("| layer | temporaries (MiB) | arguments + outputs + temporaries (MiB) | "
        "XLA's peak (MiB) | GFLOP | memory traffic (GB) |")
  print("|---|---:|---:|---:|---:|---:|")
  for name, r in layer_rows.items():
    cost = (("loop", "loop") if r["loop"] else
            (f"{r['gflops']:.2f}", f"{r['traffic_gb']:.3f}"))
    print(f"| {name} | {r['temp_mib']:.1f} | {r['peak_mib']:.1f} | {r['xla_peak_mib']:.1f} | "
          f"{cost[0]} | {cost[1]} |")
  print("\n**Train steps (Adam, float32, kernel_grad='xla')**")
  print("| config | batch | temporaries (MiB) | arguments + outputs + temporaries (MiB) "
        "| XLA's peak (MiB) | GFLOP | memory traffic (GB) |")
  print("|---|---:|---:|---:|---:|---:|---:|")
  sr_batches = tuple(int(b) for b in args.sr_batches.split(","))
  sr_configs = [a for a in args.sr or ["x2_attention_t91", "x2_deconv_t91"] if a]
  steps = []
  for make, arg, batches, chunk in (
      [(sr_task, a, sr_batches, None) for a in sr_configs] +
      [(sr_task, a, sr_batches, g) for a in sr_configs if "attention" in a
       for g in args.sr_chunk] +
      [(depth_task, a, (4, 16), None) for a in args.depth or ["sa_m1_f32_x8_rgbdd"] if a]):
    update = args.sr_strip_update if make is sr_task else None
    st = train_step_rows(make, arg, sharding, batches, chunk, update)
    steps.append(st)
    for b, r in st["rows"].items():
      cost = (("loop", "loop") if r["loop"] else
              (f"{r['gflops']:.1f}", f"{r['traffic_gb']:.2f}"))
      print(f"| {st['config']} | {b} | {r['temp_mib']:.0f} | {r['peak_mib']:.0f} | "
            f"{r['xla_peak_mib']:.0f} | {cost[0]} | {cost[1]} |", flush=True)
  print(f"\nLargest batch: linear fit of XLA's peak against the batch, checked by "
        f"a compile at it.\n\n| config | peak per example (MiB) | largest batch per "
        f"{HBM_GIB:.0f} GiB chip | its XLA peak (MiB) |\n|---|---:|---:|---:|")
  for st in steps:
    print(f"| {st['config']} | {st['per_example_mib']:.2f} | {st['largest_batch']} | "
          f"{st['largest_batch_peak_mib'] or float('nan'):.0f} |")
  if args.json:
    with open(args.json, "w") as f:
      json.dump(dict(layer=layer_rows, train_steps=steps), f, indent=1, default=str)


if __name__ == "__main__":
  main()
