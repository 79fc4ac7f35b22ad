"""Rematerialised batch chunks: a function of a batch, run a few images at a time.

`remat_chunks(fn, x, chunk)` equals `fn(x)` (values, `grad`, `jvp`), but runs
`fn` under `jax.checkpoint` in a `lax.map` over chunks of `chunk` images of
the leading axis. The backward pass then recomputes one chunk's
intermediates at a time instead of keeping every image's: peak memory holds
the inputs and outputs of the whole batch and the intermediates of one
chunk. (A `jax.checkpoint` without the loop does not do this on XLA:CPU: its
common-subexpression pass merges the recomputation into the forward.)

Chunks are contiguous images, so use it on a batch that lives on one
device; on a batch sharded over several devices each chunk would be
gathered from them (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import jax

from attnup_jax.ops._checks import check_chunk


def chunk_size(batch: int, chunk: int | None) -> int:
  """The chunk used for `batch` images: the largest divisor of `batch` that is
  at most `chunk` (so chunks are equal), or `batch` when `chunk` is None."""
  if chunk is None or chunk >= batch:
    return batch
  return max(g for g in range(1, chunk + 1) if batch % g == 0)


def remat_chunks(fn, x: jax.Array, chunk: int | None, *args):
  """`fn(x, *args)` for `x` `[B, ...]`, computed `chunk_size(B, chunk)` images at a time.

  Args:
    fn: maps `[G, ...]` (and `args`, shared by every chunk) to a pytree of
      arrays with leading axis G, image by image.
    x: the batch, `[B, ...]`.
    chunk: images per chunk (the largest divisor of B at most this), or None
      for `fn(x, *args)` as it is.
    *args: arrays every chunk uses whole (parameters); differentiable.

  Example:
    >>> import jax.numpy as jnp
    >>> f = lambda x, w: jnp.tanh(x * w)
    >>> x, w = jnp.arange(12.0).reshape(6, 2), jnp.float32(0.1)
    >>> bool(jnp.allclose(remat_chunks(f, x, 4, w), f(x, w)))   # chunks of 3
    True
  """
  b = x.shape[0]
  g = chunk_size(b, check_chunk(chunk))
  if g == b:
    return fn(x, *args)
  body = jax.checkpoint(fn)
  out = jax.lax.map(lambda xc: body(xc, *args), x.reshape((b // g, g) + x.shape[1:]))
  return jax.tree.map(lambda o: o.reshape((b,) + o.shape[2:]), out)
