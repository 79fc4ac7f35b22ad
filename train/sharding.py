"""Device mesh, batch placement and parameter shardings (data parallel / FSDP).

One mesh axis, 'data', over every device of every process. Batches are split
along their leading axis (`P('data')`); parameters and optimiser state are
replicated, or (FSDP-style) each array large enough is split along its
largest axis that the mesh size divides. XLA inserts the all-reduce of the
gradients (and the all-gathers for FSDP) from these annotations.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P


def make_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
  """A 1-D mesh named 'data' over `devices` (default: all, every process)."""
  devices = jax.devices() if devices is None else list(devices)
  return Mesh(np.asarray(devices), ("data",))


def batch_sharding(mesh: Mesh) -> NamedSharding:
  return NamedSharding(mesh, P("data"))


def replicated(mesh: Mesh) -> NamedSharding:
  return NamedSharding(mesh, P())


def fsdp_spec(shape: tuple[int, ...], n: int, min_size: int) -> P:
  """Shard the largest axis divisible by `n`; replicate small or indivisible arrays."""
  if n == 1 or int(np.prod(shape, dtype=np.int64)) < min_size:
    return P()
  axes = [i for i in np.argsort(shape)[::-1] if shape[i] % n == 0]
  if not axes:
    return P()
  spec = [None] * len(shape)
  spec[int(axes[0])] = "data"
  return P(*spec)


def state_shardings(abstract_state, mesh: Mesh, mode: str = "replicated",
                    min_size: int = 2**14):
  """A pytree of `NamedSharding`s matching `abstract_state` (shapes only)."""
  if mode == "replicated":
    return jax.tree.map(lambda _: replicated(mesh), abstract_state)
  if mode != "fsdp":
    raise ValueError(f"sharding.params must be 'replicated' or 'fsdp', got {mode!r}.")
  n = mesh.devices.size
  return jax.tree.map(
      lambda x: NamedSharding(mesh, fsdp_spec(tuple(x.shape), n, min_size)),
      abstract_state)


def global_batch(local_batch, mesh: Mesh):
  """This process's numpy batch -> global `jax.Array`s sharded along 'data'.

  Each process passes its own rows (`global batch / process_count`); on one
  process this is one sharded `device_put` of the whole tree (2x cheaper per
  batch than an array at a time, which small CPU steps notice).
  """
  sharding = batch_sharding(mesh)
  if jax.process_count() == 1:
    return jax.device_put(jax.tree.map(np.asarray, local_batch), sharding)
  return jax.tree.map(
      lambda x: jax.make_array_from_process_local_data(sharding, np.asarray(x)),
      local_batch)


def local_batch_size(global_batch_size: int, mesh: Mesh) -> int:
  """Rows each process feeds; checks divisibility by processes and devices."""
  n_dev, n_proc = mesh.devices.size, jax.process_count()
  if global_batch_size % n_dev:
    raise ValueError(f"batch_size {global_batch_size} must be divisible by the "
                     f"{n_dev} devices of the mesh.")
  return global_batch_size // n_proc
