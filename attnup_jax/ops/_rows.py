"""Rematerialised row strips: a local upsampling, differentiated a strip at a time.

`remat_rows(fn, x, rows, *args, halo=, stride=)` equals `fn(x, *args)` for a
`fn` that maps `[..., H, W, C]` to `[..., S*H, S*W, D]` (or a pytree of
such) and whose output rows S*m .. S*m + S - 1 depend only on the input rows
m - halo .. m + halo, the image's own borders handled by `fn`. Called
plainly it is `fn(x, *args)`, unchanged. Its derivatives (`grad`, `vjp`,
`jvp`: a `jax.custom_jvp` whose rule is the `jvp` of the strips) run `fn`
under `jax.checkpoint` in a `fori_loop` over strips of at most `rows` input
rows (plus `halo` rows of context on each side, cut off again), each output
strip written in place by a `dynamic_update_slice`. The backward pass then
recomputes one strip's intermediates at a time instead of keeping the whole
image's: peak memory holds the inputs, outputs and cotangents of the whole
batch and the intermediates of one strip.

The strips cut the image rows, not the batch, so a batch sharded over
devices stays where it is (no communication), whatever the mesh; this is
what lets them be the default of `AttentionUpsample` where the batch chunks
(`remat_chunks`) cannot be. The price is a second forward pass of each strip
in the backward and the halo rows computed twice (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from attnup_jax.ops._checks import check_chunk


def strip_shape(h: int, rows: int) -> tuple[int, int]:
  """(n, r): `n` strips of `r` <= `rows` rows cover `h` rows; strip i starts at
  min(i*r, h - r) (the last one may overlap its neighbour)."""
  n = -(-h // rows)
  r = -(-h // n)
  return n, r


def remat_rows(fn, x: jax.Array, rows: int | None, *args, halo: int, stride: int):
  """`fn(x, *args)`, differentiated `rows` input rows at a time (module docstring).

  Args:
    fn: maps `[..., H', W, C]` (and `args`) to a pytree of `[..., S*H', ...]`,
      for any H'; output row block m may depend on input rows m +- `halo`.
    x: `[..., H, W, C]`.
    rows: input rows per strip (at least 1), or None for `fn(x, *args)` in
      every pass. Images of at most `rows + 2*halo` rows are never cut.
    *args: arrays every strip uses whole (parameters); differentiable.
    halo: rows of context each strip needs on each side (>= 0).
    stride: S, output rows per input row.

  Example:
    >>> import jax, jax.numpy as jnp
    >>> f = lambda x, w: jnp.repeat(jnp.tanh(x * w), 2, axis=-3)   # S = 2
    >>> x, w = jnp.arange(40.0).reshape(10, 2, 2), jnp.float32(0.1)
    >>> g = lambda fun: jax.grad(lambda w: (fun(x, w) ** 2).sum())(w)
    >>> bool(jnp.allclose(g(lambda x, w: remat_rows(f, x, 3, w, halo=0, stride=2)),
    ...                   g(f)))
    True
  """
  rows = check_chunk(rows, "row_chunk")
  h = x.shape[-3]
  if rows is None or not isinstance(h, int) or h <= rows + 2 * halo:
    return fn(x, *args)

  @jax.custom_jvp
  def plain(x, *args):
    return fn(x, *args)

  @plain.defjvp
  def _strips_jvp(primals, tangents):
    return jax.jvp(lambda *a: _strips(fn, a[0], a[1:], rows, halo, stride),
                   primals, tangents)

  return plain(x, *args)


def _strips(fn, x, args, rows: int, halo: int, s: int):
  """`fn(x, *args)` strip by strip, each under `jax.checkpoint`."""
  h = x.shape[-3]
  n, r = strip_shape(h, rows)
  size = min(r + 2 * halo, h)
  first = lambda i: jnp.minimum(i * r, h - r)                # first output row / S
  start = lambda i: jnp.clip(first(i) - halo, 0, h - size)   # first input row
  take = lambda i, x: jax.lax.dynamic_slice_in_dim(x, start(i), size, axis=x.ndim - 3)
  body = jax.checkpoint(lambda i, x, *a: fn(take(i, x), *a))
  shapes = jax.eval_shape(lambda x, *a: fn(take(0, x), *a), x, *args)
  out = jax.tree.map(
      lambda o: jnp.zeros(o.shape[:-3] + (s * h,) + o.shape[-2:], o.dtype), shapes)

  def step(i, out):
    def put(o, y):
      axis = o.ndim - 3
      y = jax.lax.dynamic_slice_in_dim(y, s * (first(i) - start(i)), s * r, axis=axis)
      return jax.lax.dynamic_update_slice_in_dim(o, y, s * first(i), axis=axis)
    return jax.tree.map(put, out, body(i, x, *args))

  return jax.lax.fori_loop(0, n, step, out)
