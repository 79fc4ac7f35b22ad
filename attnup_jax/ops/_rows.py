"""Rematerialised row strips: a local upsampling, differentiated a strip at a time.

`remat_rows(fn, x, rows, *args, halo=, stride=)` equals `fn(x, *args)` for a
`fn` that maps `[..., H, W, C]` to `[..., S*H, S*W, D]` (or a pytree of
such) and whose output rows S*m .. S*m + S - 1 depend only on the input rows
m - halo .. m + halo, the image's own borders handled by `fn`. Called
plainly it is `fn(x, *args)`, unchanged. Its derivatives (`grad`, `vjp`,
`jvp`: a `jax.custom_jvp` whose rule is the `jvp` of the strips) run `fn`
under `jax.checkpoint` in a `fori_loop` over strips of at most `rows` input
rows (plus `halo` rows of context on each side, cut off again), each output
strip placed in the whole output in place. The backward pass then
recomputes one strip's intermediates at a time instead of keeping the whole
image's: peak memory holds the inputs, outputs and cotangents of the whole
batch and the intermediates of one strip.

How a strip is placed (`update`, `_place`) matters to the backward pass and
depends on the compiler, so it is an explicit choice. "write": over the
output (`dynamic_update_slice`); its transpose zeroes that slice of the
output's cotangent, a loop-carried update that XLA:CPU makes on a fresh
copy of the whole cotangent in every iteration, while XLA:TPU needs the
least memory with it. "add": into place (`o + dynamic_update_slice(zeros,
y)`, which XLA:CPU turns into an in-place update); its transpose only reads
the slice. None (default): "add" for 32-bit outputs, "write" for narrower
ones, the least memory on CPU in each dtype. Measured (docs/BENCHMARKS.md,
"Row strips"): the layer at the SR setting on CPU, float32, 80.8 MiB added
against 88.8 written over and about 15% less time; bfloat16 88.8 against
72.8; the SR train step on TPU v5e (compiled), 5.20 MiB per example added
against 3.57 written over.

The strips cut the image rows, not the batch, so a batch sharded over
devices stays where it is (no communication), whatever the mesh; this is
what lets them be the default of `AttentionUpsample` where the batch chunks
(`remat_chunks`) cannot be. The price is a second forward pass of each strip
in the backward and the halo rows computed twice (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from attnup_jax.ops._checks import check_chunk, check_strip_update


def strip_shape(h: int, rows: int) -> tuple[int, int]:
  """(n, r): `n` strips of `r` <= `rows` rows cover `h` rows; strip i starts at
  min(i*r, h - r) (the last one may overlap its neighbour)."""
  n = -(-h // rows)
  r = -(-h // n)
  return n, r


def remat_rows(fn, x: jax.Array, rows: int | None, *args, halo: int, stride: int,
               update: str | None = None):
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
    update: how each output strip is placed: None (by dtype), "add" or
      "write" (module docstring); the same values and derivatives.

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
  update = check_strip_update(update)
  h = x.shape[-3]
  if rows is None or not isinstance(h, int) or h <= rows + 2 * halo:
    return fn(x, *args)

  @jax.custom_jvp
  def plain(x, *args):
    return fn(x, *args)

  @plain.defjvp
  def _strips_jvp(primals, tangents):
    return jax.jvp(lambda *a: _strips(fn, a[0], a[1:], rows, halo, stride, update),
                   primals, tangents)

  return plain(x, *args)


def _strips(fn, x, args, rows: int, halo: int, s: int, update: str | None):
  """`fn(x, *args)` strip by strip, each under `jax.checkpoint`, each output
  strip placed by `_place(..., update)`."""
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
      y = jax.lax.dynamic_slice_in_dim(y, s * (first(i) - start(i)), s * r, axis=y.ndim - 3)
      owned = s * i * r if n * r > h else None       # only the last strip overlaps
      return _place(o, y, s * first(i), owned, update)
    return jax.tree.map(put, out, body(i, x, *args))

  return jax.lax.fori_loop(0, n, step, out)


def _place(o, y, at, owned_from, update: str | None):
  """`o` `[..., R, W, D]` with `y` `[..., r, W, D]` at rows `at` .. `at + r - 1`.

  Rows before `owned_from` (None: no row) already hold the same values (an
  earlier strip's); `o` is zero in the rest of `y`'s rows. "write" writes
  `y` over `o`; "add" adds `y`, zeroed in the rows already held, to `o`;
  None is "add" for 32-bit and wider outputs, else "write" (module
  docstring)."""
  axis = o.ndim - 3
  if update is None:
    update = "add" if jnp.dtype(o.dtype).itemsize >= 4 else "write"
  if update == "write":
    return jax.lax.dynamic_update_slice_in_dim(o, y, at, axis=axis)
  if owned_from is not None:
    rows = jax.lax.broadcasted_iota(jnp.int32, (1,) * axis + y.shape[axis:axis + 1] + (1, 1),
                                    axis) + at
    y = y * (rows >= owned_from).astype(y.dtype)
  return o + jax.lax.dynamic_update_slice_in_dim(jnp.zeros_like(o), y, at, axis=axis)
