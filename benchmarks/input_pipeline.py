"""Train-step time with the real input pipeline vs a batch already on device.

    python benchmarks/input_pipeline.py                          # quick SR config
    python benchmarks/input_pipeline.py --config x2_attention_t91 --steps 5 --repeats 3
    python benchmarks/input_pipeline.py --devices 8              # 8 forced CPU devices

Three ways to feed the same jitted, donated train step (`train/state.py`):
  memory    one global batch placed on the mesh once and reused (the bound);
  prefetch  grain iterator -> background thread -> `global_batch` placement,
            `--prefetch` batches ahead (`train/prefetch.py`, what the loop uses);
  inline    the same pipeline read in the training thread (prefetch=0);
and the pipeline alone (no train step), which bounds what prefetching can hide.
Each is timed over `--steps` steps after `--warmup` steps, the three taking
turns `--repeats` times; the median is reported in ms/step, with the ratio to
`memory`.
The target is prefetch within 10% of memory. Not a test: numbers depend on
the machine (and on what else runs on it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main() -> None:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--config", default="x2_attention_t91,quick",
                 help="configs/sr.py argument")
  p.add_argument("--batch_size", type=int, default=None)
  p.add_argument("--features", type=int, default=None, help="model width override")
  p.add_argument("--read_threads", type=int, default=None)
  p.add_argument("--steps", type=int, default=100)
  p.add_argument("--warmup", type=int, default=3)
  p.add_argument("--repeats", type=int, default=7)
  p.add_argument("--prefetch", type=int, default=2)
  p.add_argument("--devices", type=int, default=None,
                 help="force this many CPU devices (set before JAX starts)")
  args = p.parse_args()
  if args.devices:
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_force_host_platform_device_count={args.devices}")
  sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

  import jax  # pylint: disable=g-import-not-at-top
  from configs import sr  # pylint: disable=g-import-not-at-top
  from train import prefetch, sharding  # pylint: disable=g-import-not-at-top
  from train import state as state_lib  # pylint: disable=g-import-not-at-top
  from train.tasks import get_task  # pylint: disable=g-import-not-at-top

  config = sr.get_config(args.config)
  if args.batch_size:
    config.batch_size = args.batch_size
  if args.features:
    config.model.features = args.features
  if args.read_threads is not None:
    config.data.read_threads = args.read_threads
  mesh = sharding.make_mesh()
  task = get_task(config)
  graphdef, state, shardings = state_lib.create_state(task, config, mesh)
  step = state_lib.jit_train_step(
      state_lib.make_train_step(graphdef, task, config), shardings, mesh)
  local_bs = sharding.local_batch_size(int(config.batch_size), mesh)
  dataset = task.train_dataset(local_bs, 0, jax.process_index(), jax.process_count())

  def run(batches, n):
    nonlocal state
    metrics = None
    for _ in range(n):
      batch = next(batches)
      state, metrics = step(state, batch)
    jax.block_until_ready(metrics)

  def memory_batches():
    batch = sharding.global_batch(next(iter(dataset)), mesh)
    while True:
      yield batch

  def pipeline_batches(size):
    pf = prefetch.DevicePrefetcher(iter(dataset), mesh, size)
    return (b for b, _ in pf), pf

  def input_only(n):  # the pipeline alone: read, place, wait; no train step
    pf = prefetch.DevicePrefetcher(iter(dataset), mesh, 0)
    for _ in range(args.warmup):
      next(pf)
    t = time.perf_counter()
    for _ in range(n):
      jax.block_until_ready(next(pf)[0])
    return (time.perf_counter() - t) / n * 1e3

  # The three feeds live side by side and take turns (memory, prefetch, inline,
  # memory, ...): slow drifts of the machine hit all three alike.
  feeds = {"memory": (memory_batches(), None),
           "prefetch": pipeline_batches(args.prefetch),
           "inline": pipeline_batches(0)}
  times = {name: [] for name in feeds}
  for name, (batches, _) in feeds.items():
    run(batches, args.warmup)
  for _ in range(args.repeats):
    for name, (batches, _) in feeds.items():
      t = time.perf_counter()
      run(batches, args.steps)
      times[name].append((time.perf_counter() - t) / args.steps * 1e3)
  for _, pf in feeds.values():
    if pf is not None:
      pf.close()
  results = {name: statistics.median(t) for name, t in times.items()}

  print(f"config sr.py:{args.config}  batch {config.batch_size}  features "
        f"{config.model.features}  read_threads {config.data.read_threads}  devices "
        f"{jax.device_count()} ({jax.devices()[0].platform})  steps {args.steps} "
        f"x {args.repeats}")
  for name, ms in results.items():
    print(f"  {name:9s} {ms:8.2f} ms/step   x{ms / results['memory']:.3f}")
  print(f"  input pipeline alone (read + place, no step): "
        f"{statistics.median(input_only(args.steps) for _ in range(args.repeats)):.2f} ms/batch")


if __name__ == "__main__":
  main()
