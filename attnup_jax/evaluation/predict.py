"""A model as a batched predict function on host arrays."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
from flax import nnx


def as_predict(model_or_fn) -> Callable:
  """`fn(*inputs [B, ...]) -> [B, ...]`: a model jitted once, or `fn` itself."""
  if not isinstance(model_or_fn, nnx.Module):
    return model_or_fn
  graphdef, state = nnx.split(model_or_fn)
  f = jax.jit(lambda s, *x: nnx.merge(graphdef, s)(*x))
  return lambda *x: f(state, *x)


def same_size_batches(shapes: Sequence[tuple], batch_size: int) -> list[list[int]]:
  """Indices grouped by equal shape, in first-seen order, at most
  `batch_size` per group: one compile per size, few calls."""
  if batch_size < 1:
    raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
  groups: dict[tuple, list[int]] = {}
  for i, s in enumerate(shapes):
    groups.setdefault(tuple(s), []).append(i)
  return [idx[i:i + batch_size] for idx in groups.values()
          for i in range(0, len(idx), batch_size)]
