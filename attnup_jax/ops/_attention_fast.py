"""The exact phase-decomposed masked windowed attention (SPEC Sec. 1).

Output pixel (S*m + ry, S*n + rx) only sees low-resolution neighbours
(m + dy, n + dx) with |S*dy - ry| <= R and |S*dx - rx| <= R. With
dy in [dlo, dhi] (T = dhi - dlo + 1 offsets per axis) every phase attends over
the same small T x T low-resolution window, under a static per-phase mask and
position table. Nothing zero-upsampled is ever built: cost and memory scale
with the low-resolution grid, like a sub-pixel convolution.

Legend: m, n = low-res rows/cols (H, W); y, x = output phases ry, rx (S);
a, b = window offsets ty, tx (T); c = query/key channels; d = value channels.
The high-resolution image `[S*H, S*W, C]` *is* `[H, S, W, S, C]` after a free
reshape, so queries and outputs are never transposed.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from attnup_jax.ops._attention_core import attend


def window_offsets(s: int, ksize: int) -> np.ndarray:
  """Low-resolution offsets dy that some phase of a K-window can reach."""
  r = (ksize - 1) // 2
  return np.arange(-(r // s), (s - 1 + r) // s + 1)


def phase_table(s: int, ksize: int) -> np.ndarray:
  """`[S, T]` int: window row ky = S*dy - ry + R seen by phase ry at offset dy, or -1."""
  r = (ksize - 1) // 2
  ky = s * window_offsets(s, ksize)[None, :] - np.arange(s)[:, None] + r
  return np.where((ky >= 0) & (ky < ksize), ky, -1)


def _axis_mask(n, s: int, ksize: int):
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


def _phase_positions(pos, s: int, ksize: int):
  """`[K, C//2]` -> `[S, T, C//2]`: the encoding of each (phase, offset); rows of
  out-of-window pairs are arbitrary (they are masked)."""
  return pos[np.maximum(phase_table(s, ksize), 0)]


def _shifted(x, offsets):
  """`[H, W, C]` -> list over (dy, dx) of x[m + dy, n + dx] (zero outside)."""
  h, w, _ = x.shape
  lo, hi = -int(offsets[0]), int(offsets[-1])
  xp = jnp.pad(x, ((lo, hi), (lo, hi), (0, 0)))
  return [xp[lo + dy:lo + dy + h, lo + dx:lo + dx + w]
          for dy in offsets for dx in offsets]


def fast_logits(q, k, pos_y, pos_x, s: int, ksize: int, scale: float):
  """Masked logits `[H, S, W, S, T*T]` (float32, -inf where invalid)."""
  h, w, c = k.shape
  f32 = jnp.float32
  offsets = window_offsets(s, ksize)
  t = len(offsets)
  q5 = q.astype(f32).reshape(h, s, w, s, c)                         # [m, y, n, x, c]
  k_shifts = _shifted(k.astype(f32), offsets)
  qk = jnp.stack([jnp.einsum("mynxc,mnc->mynx", q5, ks) for ks in k_shifts],
                 axis=-1).reshape(h, s, w, s, t, t)
  half = c // 2
  table_y = _phase_positions(pos_y.astype(f32), s, ksize)           # [y, a, c/2]
  table_x = _phase_positions(pos_x.astype(f32), s, ksize)           # [x, b, c/2]
  qpy = jnp.einsum("mynxc,yac->mynxa", q5[..., :half], table_y)
  qpx = jnp.einsum("mynxc,xbc->mynxb", q5[..., half:], table_x)
  logits = scale * (qk + qpy[..., :, None] + qpx[..., None, :])
  valid = (_axis_mask(h, s, ksize)[:, :, None, None, :, None] &
           _axis_mask(w, s, ksize)[None, None, :, :, None, :])      # [m,y,n,x,a,b]
  return jnp.where(valid, logits, -jnp.inf).reshape(h, s, w, s, t * t)


def position_table(pos_y, pos_x, s: int, ksize: int):
  """`[S, S, T*T, C]`: concat(pos_y[ky], pos_x[kx]) seen by phase (ry, rx) at
  offset (dy, dx); arbitrary where the pair is outside the window (masked)."""
  t = len(window_offsets(s, ksize))
  ty = _phase_positions(pos_y, s, ksize)                            # [y, a, c/2]
  tx = _phase_positions(pos_x, s, ksize)                            # [x, b, c/2]
  half = ty.shape[-1]
  ty = jnp.broadcast_to(ty[:, None, :, None, :], (s, s, t, t, half))
  tx = jnp.broadcast_to(tx[None, :, None, :, :], (s, s, t, t, half))
  return jnp.concatenate([ty, tx], -1).reshape(s, s, t * t, 2 * half)


def phase_mask(h, w, s: int, ksize: int) -> jax.Array:
  """`[H, S, W, S, T*T]` bool: which (output, offset) pairs attend."""
  t = len(window_offsets(s, ksize))
  valid = (_axis_mask(h, s, ksize)[:, :, None, None, :, None] &
           _axis_mask(w, s, ksize)[None, None, :, :, None, :])
  return valid.reshape(h, s, w, s, t * t)


def fast_one(q, k, v, pos_y, pos_x, s: int, ksize: int, scale: float,
             return_weights: bool = False):
  """One image. q `[S*H, S*W, C]`, k `[H, W, C]`, v `[H, W, D]` -> `[S*H, S*W, D]`
  (and the weights `[S*H, S*W, K*K]` when asked)."""
  h, w, c = k.shape
  d = v.shape[-1]
  f32 = jnp.float32
  offsets = tuple(int(o) for o in window_offsets(s, ksize))
  out = attend(q.astype(f32).reshape(h, s, w, s, c), k.astype(f32), v.astype(f32),
               position_table(pos_y.astype(f32), pos_x.astype(f32), s, ksize),
               phase_mask(h, w, s, ksize), offsets, scale)
  out = out.reshape(h * s, w * s, d).astype(v.dtype)
  if not return_weights:
    return out
  p = jax.nn.softmax(fast_logits(q, k, pos_y, pos_x, s, ksize, scale), axis=-1)
  return out, phase_weights_to_window(p, s, ksize)


def phase_weights_to_window(p, s: int, ksize: int):
  """`[H, S, W, S, T*T]` phase weights -> `[S*H, S*W, K*K]` on the K x K window."""
  h, _, w, _, _ = p.shape
  t = len(window_offsets(s, ksize))
  table = phase_table(s, ksize)                                     # [S, T]
  onehot = (table[:, :, None] == np.arange(ksize)[None, None, :]).astype(np.float32)
  p6 = p.reshape(h, s, w, s, t, t)
  win = jnp.einsum("mynxab,yak,xbl->mynxkl", p6, onehot, onehot)
  return win.reshape(h * s, w * s, ksize * ksize)
