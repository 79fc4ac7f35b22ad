"""What a fresh output buffer costs on this host: `x * 2` into a new buffer
against the same into the input's buffer (donated), side by side.

    python benchmarks/fresh_buffers.py
    MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 \
        python benchmarks/fresh_buffers.py      # glibc keeps freed memory

With glibc's default malloc, XLA:CPU gets each large buffer as fresh pages
from the kernel (mmap) and gives it back when freed, so every call pays a
page fault per 4 KiB page of every large temporary; the donated call writes
into pages it already has. The difference is time that any XLA:CPU program
with large temporaries pays on top of its arithmetic, in proportion to the
bytes it allocates (docs/BENCHMARKS.md, "Fresh buffers"). Not a test.
"""

from __future__ import annotations

import argparse
import os

import jax
import jax.numpy as jnp

from _timing import median_seconds

ENV = ("MALLOC_ARENA_MAX", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_")


def measure(mib: int, repeats: int) -> tuple[float, float]:
  """(fresh, donated) median ms of `x * 2` for a float32 x of `mib` MiB."""
  n = mib * 2**20 // 4
  fresh_fn = jax.jit(lambda x: x * 2)
  donated_fn = jax.jit(lambda x: x * 2, donate_argnums=0)
  x = jnp.ones((n,), jnp.float32)
  fresh = median_seconds(lambda: fresh_fn(x), repeats)
  y = jnp.ones((n,), jnp.float32)

  def donated():             # each call writes into the previous call's buffer
    nonlocal y
    y = donated_fn(y)
    return y
  return 1e3 * fresh, 1e3 * median_seconds(donated, repeats)


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--repeats", type=int, default=20)
  parser.add_argument("--sizes", default="16,32,64", help="MiB, comma-separated")
  args = parser.parse_args(argv)
  env = " ".join(f"{k}={os.environ[k]}" for k in ENV if k in os.environ)
  print(f"jax {jax.__version__} on {jax.default_backend()}; "
        f"malloc environment: {env or 'glibc defaults'}\n")
  print("| output (MiB) | fresh buffer (ms) | donated buffer (ms) | fresh / donated |")
  print("|---:|---:|---:|---:|")
  for mib in (int(s) for s in args.sizes.split(",")):
    fresh, donated = measure(mib, args.repeats)
    print(f"| {mib} | {fresh:.2f} | {donated:.2f} | {fresh / donated:.1f}x |")


if __name__ == "__main__":
  main()
