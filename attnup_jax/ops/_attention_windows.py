"""The geometry of the phase decomposition (SPEC Sec. 1): offsets, masks, tables.

Output pixel (S*m + ry, S*n + rx) only sees low-resolution neighbours
(m + dy, n + dx) with |S*dy - ry| <= R and |S*dx - rx| <= R. With
dy in [dlo, dhi] (T = dhi - dlo + 1 offsets per axis) every phase attends over
the same small T x T low-resolution window, under a static per-phase mask and
position table. Nothing zero-upsampled is ever built: cost and memory scale
with the low-resolution grid, like a sub-pixel convolution.

Legend: m, n = low-res rows/cols (H, W); y, x = output phases ry, rx (S);
a, b = window offsets ty, tx (T); c = query/key channels.
The high-resolution image `[S*H, S*W, C]` *is* `[H, S, W, S, C]` after a free
reshape, so queries and outputs are never transposed.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def window_offsets(s: int, ksize: int) -> np.ndarray:
  """Low-resolution offsets dy that some phase of a K-window can reach."""
  r = (ksize - 1) // 2
  return np.arange(-(r // s), (s - 1 + r) // s + 1)


def phase_table(s: int, ksize: int) -> np.ndarray:
  """`[S, T]` int: window row ky = S*dy - ry + R seen by phase ry at offset dy, or -1."""
  r = (ksize - 1) // 2
  ky = s * window_offsets(s, ksize)[None, :] - np.arange(s)[:, None] + r
  return np.where((ky >= 0) & (ky < ksize), ky, -1)


def axis_mask(n, s: int, ksize: int):
  """`[N, S, T]` bool: phase r of low-res row m may attend to row m + dy.

  Built with `lax.broadcasted_iota`, so N may be symbolic (`jax.export`); for
  concrete N it is a compile-time constant.
  """
  offsets = window_offsets(s, ksize)
  t = len(offsets)
  rows = (jax.lax.broadcasted_iota(jnp.int32, (n, t), 0) +
          jnp.asarray(offsets, jnp.int32)[None, :])
  inside = (rows >= 0) & (rows < n)                                 # [N, T]
  in_window = jnp.asarray(phase_table(s, ksize) >= 0)               # [S, T]
  return inside[:, None, :] & in_window[None, :, :]


def phase_mask(h, w, s: int, ksize: int) -> jax.Array:
  """`[H, S, W, S, T, T]` bool: which (output, offset) pairs attend."""
  return (axis_mask(h, s, ksize)[:, :, None, None, :, None] &
          axis_mask(w, s, ksize)[None, None, :, :, None, :])


def phase_positions(pos, s: int, ksize: int):
  """`[K, C//2]` -> `[S, T, C//2]`: the encoding of each (phase, offset); rows of
  out-of-window pairs are arbitrary (they are masked)."""
  return pos[np.maximum(phase_table(s, ksize), 0)]


def shifted(x, offsets):
  """`[H, W, C]` -> `{(dy, dx): x[m + dy, n + dx]}` (zero outside the image)
  for every pair of `offsets`. Slices of one padded copy: sizes may be symbolic."""
  h, w, _ = x.shape
  lo, hi = max(0, -int(min(offsets))), max(0, int(max(offsets)))
  xp = jnp.pad(x, ((lo, hi), (lo, hi), (0, 0)))
  return {(int(dy), int(dx)): xp[lo + dy:lo + dy + h, lo + dx:lo + dx + w]
          for dy in offsets for dx in offsets}


def axis_blocks(x, axis: int, n, b: int, halo: int):
  """x with `(n + 1) * b` entries along `axis` -> `n` blocks of `b + halo`
  (block u: entries u*b .. u*b + b + halo - 1), as two new axes."""
  shape = x.shape
  r = x.reshape(shape[:axis] + (n + 1, b) + shape[axis + 1:])
  head = jax.lax.slice_in_dim(r, 0, n, axis=axis)
  tail = jax.lax.slice_in_dim(jax.lax.slice_in_dim(r, 1, n + 1, axis=axis),
                              0, halo, axis=axis + 1)
  return jnp.concatenate([head, tail], axis + 1) if halo else head


def window_blocks(x, lo: int, b: int, halo: int):
  """`[H, W, C]` -> `[ceil(H/b), ceil(W/b), (b + halo)^2, C]`: for each block
  (u, v) of b x b low-resolution cells, the entries
  `x[b*u - lo + i, b*v - lo + j]` (i, j < b + halo; zero outside the image)
  that the windows of its cells reach, read as one blocked copy. Sizes may be
  symbolic."""
  h, w, c = x.shape
  nh, nw = (h + b - 1) // b, (w + b - 1) // b
  xp = jnp.pad(x, ((lo, (nh + 1) * b - h - lo), (lo, (nw + 1) * b - w - lo), (0, 0)))
  xb = axis_blocks(axis_blocks(xp, 0, nh, b, halo), 2, nw, b, halo)
  return jnp.moveaxis(xb, 1, 2).reshape(nh, nw, (b + halo) ** 2, c)


def window_picks(cell_y, cell_x, t: int, b: int, halo: int):
  """`[Q, (b + halo)^2, t*t]` float32 0/1: row q, a cell (cell_y[q],
  cell_x[q]) of a block, takes window offset (i, j) = divmod(slot, t) from
  entry (cell_y + i) * (b + halo) + cell_x + j of its `window_blocks`."""
  i, j = np.divmod(np.arange(t * t), t)
  key = ((np.asarray(cell_y)[:, None] + i[None, :]) * (b + halo)
         + np.asarray(cell_x)[:, None] + j[None, :])
  picks = key[:, None, :] == np.arange((b + halo) ** 2)[None, :, None]
  return jnp.asarray(picks, jnp.float32)


def phase_weights_to_window(p, s: int, ksize: int):
  """`[H, S, W, S, T, T]` phase weights -> `[S*H, S*W, K*K]` on the K x K window."""
  h, _, w, _, t, _ = p.shape
  table = phase_table(s, ksize)                                     # [S, T]
  onehot = (table[:, :, None] == np.arange(ksize)[None, None, :]).astype(np.float32)
  win = jnp.einsum("mynxab,yak,xbl->mynxkl", p, onehot, onehot,
                   precision=jax.lax.Precision.HIGHEST)   # exact on TPU too
  return win.reshape(h * s, w * s, ksize * ksize)


def row_reach(s: int, ksize: int) -> int:
  """Low-resolution rows on each side that one output row block of
  `attention_upsample_bilinear` depends on: its window's offsets, and 1 for
  the bilinear upsampling of the queries."""
  offsets = window_offsets(s, ksize)
  return int(max(1, -offsets.min(), offsets.max()))
