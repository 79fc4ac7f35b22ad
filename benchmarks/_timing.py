"""The one timing rule of the benchmarks: a warm-up call, then the median
wall time of `repeats` calls, each waited for with `jax.block_until_ready`."""

from __future__ import annotations

import statistics
import time

import jax


def median_seconds(call, repeats: int) -> float:
  """Median seconds of `call()` (no arguments) over `repeats` calls after one
  warm-up call (compilation, first-touch)."""
  jax.block_until_ready(call())
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    jax.block_until_ready(call())
    times.append(time.perf_counter() - start)
  return statistics.median(times)
