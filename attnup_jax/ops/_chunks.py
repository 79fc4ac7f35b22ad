"""Rematerialised batch chunks: a function of a batch, run a few images at a time.

`remat_chunks(fn, x, chunk)` equals `fn(x)` (values, `grad`, `jvp`), but runs
`fn` under `jax.checkpoint` in a `lax.map` over chunks of `chunk` images of
the leading axis. The backward pass then recomputes one chunk's
intermediates at a time instead of keeping every image's: peak memory holds
the inputs and outputs of the whole batch and the intermediates of one
chunk. (A `jax.checkpoint` without the loop does not do this on XLA:CPU: its
common-subexpression pass merges the recomputation into the forward.)

Two layouts of the chunks (`layout=`), the same function:

- "contiguous" (default): chunk i is images i*G .. i*G + G - 1, a free
  reshape and a `lax.map`; the fastest on one device. On a batch sharded
  over devices, GSPMD gathers each chunk onto every device.
- "strided": chunk i is images i, i + n, i + 2n, ... (n = B/G chunks), read
  by a `dynamic_slice` and written by a `dynamic_update_slice` in a
  `fori_loop`. On a batch sharded over D devices with D dividing G, every
  chunk takes G/D images from each device's own block: no communication.
  About 20% slower than "contiguous" on one CPU device (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from attnup_jax.ops._checks import check_chunk, check_chunk_layout


def chunk_size(batch: int, chunk: int | None) -> int:
  """The chunk used for `batch` images: the largest divisor of `batch` that is
  at most `chunk` (so chunks are equal), or `batch` when `chunk` is None."""
  if chunk is None or chunk >= batch:
    return batch
  return max(g for g in range(1, chunk + 1) if batch % g == 0)


def remat_chunks(fn, x: jax.Array, chunk: int | None, *args, layout: str = "contiguous"):
  """`fn(x, *args)` for `x` `[B, ...]`, computed `chunk_size(B, chunk)` images at a time.

  Args:
    fn: maps `[G, ...]` (and `args`, shared by every chunk) to a pytree of
      arrays with leading axis G, image by image.
    x: the batch, `[B, ...]`.
    chunk: images per chunk (the largest divisor of B at most this), or None
      for `fn(x, *args)` as it is.
    *args: arrays every chunk uses whole (parameters); differentiable.
    layout: "contiguous" or "strided" (module docstring).

  Example:
    >>> import jax.numpy as jnp
    >>> f = lambda x, w: jnp.tanh(x * w)
    >>> x, w = jnp.arange(12.0).reshape(6, 2), jnp.float32(0.1)
    >>> bool(jnp.allclose(remat_chunks(f, x, 4, w), f(x, w)))   # chunks of 3
    True
  """
  b = x.shape[0]
  g = chunk_size(b, check_chunk(chunk))
  check_chunk_layout(layout)
  if g == b:
    return fn(x, *args)
  if layout == "strided":
    return _strided(fn, x, g, args)
  body = jax.checkpoint(fn)
  out = jax.lax.map(lambda xc: body(xc, *args), x.reshape((b // g, g) + x.shape[1:]))
  return jax.tree.map(lambda o: o.reshape((b,) + o.shape[2:]), out)


def _strided(fn, x, g: int, args):
  """`remat_chunks` with chunk i = images i, i + n, ... of x `[B, ...]` (n = B/g).

  The chunk is sliced inside the checkpoint, so the backward keeps only the
  loop index per chunk (no stacked copy of the input)."""
  b = x.shape[0]
  n = b // g
  xr = x.reshape((g, n) + x.shape[1:])                    # [j, i, ...]: image j*n + i
  take = lambda i, xr: jax.lax.dynamic_index_in_dim(xr, i, 1, keepdims=False)
  body = jax.checkpoint(lambda i, xr, *a: fn(take(i, xr), *a))
  shapes = jax.eval_shape(lambda xr, *a: fn(take(0, xr), *a), xr, *args)
  out = jax.tree.map(lambda s: jnp.zeros((s.shape[0], n) + s.shape[1:], s.dtype), shapes)

  def step(i, out):
    put = lambda o, y: jax.lax.dynamic_update_index_in_dim(o, y, i, 1)
    return jax.tree.map(put, out, body(i, xr, *args))

  out = jax.lax.fori_loop(0, n, step, out)
  return jax.tree.map(lambda o: o.reshape((b,) + o.shape[2:]), out)
