"""Row strips and `batch_chunk` on a batch sharded over devices: what GSPMD makes of them.

    python benchmarks/chunks_sharded.py                  # 4 forced CPU devices
    python benchmarks/chunks_sharded.py --devices 8 --chunks whole,strips,1,2,4,8

Compiles forward+backward of `AttentionUpsample` (SR setting: B=16, 32x32,
C=128, K=5, S=2, as benchmarks/layer.py) with the batch sharded along a
'data' mesh axis, as train/ shards it, with both chunk layouts
("contiguous", "strided"), the default row strips (`row_chunk=6`, "strips")
and the whole image at once (`row_chunk=None`, "whole"), and reports per
program the
collectives in the optimised HLO and XLA's per-device temporaries. Compile
only: nothing is timed. Not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import sys


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--devices", type=int, default=4)
  p.add_argument("--chunks", default="whole,strips,2,4,8",
                 help="'whole' (row_chunk=None), 'strips' (the default row strips) "
                 "or a batch_chunk")
  args = p.parse_args(argv)
  os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                             f" --xla_force_host_platform_device_count={args.devices}")
  import jax
  import jax.numpy as jnp
  import numpy as np
  from flax import nnx
  from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

  from attnup_jax import nn as attnn

  mesh = Mesh(np.array(jax.devices()), ("data",))
  x = jax.ShapeDtypeStruct((16, 32, 32, 128), jnp.float32,
                           sharding=NamedSharding(mesh, P("data")))
  print(f"jax {jax.__version__}, {jax.device_count()} CPU devices, batch 16 sharded "
        f"along 'data'\n\n| row_chunk | batch_chunk | chunk_layout | all-gather | all-reduce | "
        f"while loops | temporaries per device (MiB) |\n|---|---|---|---:|---:|---:|---:|")
  runs = [(c, layout) for c in args.chunks.split(",")
          for layout in (("-",) if c in ("whole", "strips") else ("contiguous", "strided"))]
  for chunk, layout in runs:
    g = None if chunk in ("whole", "strips") else int(chunk)
    rows = attnn.ROW_CHUNK if chunk == "strips" else None
    layer = attnn.AttentionUpsample(128, 128, 5, 2, row_chunk=rows, batch_chunk=g,
                                    rngs=nnx.Rngs(0),
                                    chunk_layout="contiguous" if g is None else layout)
    graphdef, params = nnx.split(layer)
    params = jax.tree.map(lambda a: jax.ShapeDtypeStruct(
        a.shape, a.dtype, sharding=NamedSharding(mesh, P())), params)
    loss = lambda p, x: jnp.mean(jnp.square(nnx.merge(graphdef, p)(x)))
    compiled = jax.jit(jax.value_and_grad(loss, (0, 1))).lower(params, x).compile()
    text = compiled.as_text()
    count = lambda op: len(re.findall(rf"\s{op}(-start)?\(", text))
    temp = compiled.memory_analysis().temp_size_in_bytes / 2**20
    print(f"| {rows if g is None else '-'} | {g or '-'} | {layout} | "
          f"{count('all-gather')} | {count('all-reduce')} | "
          f"{count('while')} | {temp:.1f} |", flush=True)


if __name__ == "__main__":
  sys.exit(main())
