"""Phase-window logits `[H, S, W, S, T, T]` (float32), from high- or low-resolution queries.

    logit(m, y, n, x; a, b) = scale * q_hr[S*m + y, S*n + x] . (k[m + dy_a, n + dx_b] + P)

with P = concat(pos_y[ky], pos_x[kx]) of the window slot (SPEC Sec. 1).

`highres_logits` takes the queries on the high-resolution grid (guided
attention, the depth model). `lowres_logits` takes low-resolution queries `q`
whose bilinear upsampling (half-pixel centres, edges clamped: as
`ops.bilinear_upsample` and `jax.image.resize`) are the queries. Upsampling is
linear, q_hr[S*m + y] = sum_e A[y, e] q_pad[m + e] along each axis with
e in {-1, 0, 1} and q_pad = q padded by edge replication (the clamped
edges), so every logit is a fixed combination of low-resolution products
q_pad[m + ey, n + ex] . k[m + dy, n + dx] over a window one pixel wider than
T on each side, and of q . pos products: one constant 3x3 convolution of the
products over the grid padded by one cell (`combination_kernel`), whose
edge cells are the image's own products shifted by a slot (`_edge_ring`).
Nothing of size S*H x S*W x C is built, in either pass.

Inputs are read in their own dtype; every product accumulates in float32.
Legend: m, n = low-res rows/cols; y, x = phases (S); a, b = offsets (T);
c = channels; e = bilinear tap offsets; i, j = offsets of the wider window.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from attnup_jax.ops._attention_windows import (phase_positions, shifted, window_blocks,
                                               window_offsets, window_picks)
from attnup_jax.ops._resample import bilinear_phase_taps

F32 = jnp.float32


def _common_dtype(q, k, *pos):
  dtype = jnp.promote_types(q.dtype, k.dtype)
  return (q.astype(dtype), k.astype(dtype)) + tuple(p.astype(dtype) for p in pos)


def _position_products(q5, pos_y, pos_x, s: int, ksize: int):
  """q5 `[H, S, W, S, C]` (high-resolution queries) -> q . pos_y[ky(y, a)]
  `[H, S, W, S, T]` and q . pos_x[kx(x, b)] `[H, S, W, S, T]`, float32."""
  half = q5.shape[-1] // 2
  table_y = phase_positions(pos_y, s, ksize)                       # [y, a, c/2]
  table_x = phase_positions(pos_x, s, ksize)                       # [x, b, c/2]
  qpy = jnp.einsum("mynxc,yac->mynxa", q5[..., :half], table_y, preferred_element_type=F32)
  qpx = jnp.einsum("mynxc,xbc->mynxb", q5[..., half:], table_x, preferred_element_type=F32)
  return qpy, qpx


def position_rows(pos_y, pos_x, s: int, ksize: int) -> jax.Array:
  """`[2*S*T, C]`: row (y, a) is pos_y[ky(y, a)] in the first C/2 channels and
  zeros in the rest, row S*T + (x, b) is pos_x[kx(x, b)] in the last C/2. So
  q . row is q[:C/2] . pos_y[ky] or q[C/2:] . pos_x[kx] exactly (the zeros
  add exact zeros), and the rows can join the keys of one matmul."""
  half = pos_y.shape[-1]
  ty = phase_positions(pos_y, s, ksize).reshape(-1, half)          # [(y, a), C/2]
  tx = phase_positions(pos_x, s, ksize).reshape(-1, half)          # [(x, b), C/2]
  return jnp.concatenate([jnp.pad(ty, ((0, 0), (0, half))),
                          jnp.pad(tx, ((0, 0), (half, 0)))], 0)


def highres_logits(q, k, pos_y, pos_x, s: int, ksize: int, scale: float):
  """q `[S*H, S*W, C]`, k `[H, W, C]`, pos `[K, C//2]` -> `[H, S, W, S, T, T]` f32."""
  h, w, c = k.shape
  q, k, pos_y, pos_x = _common_dtype(q, k, pos_y, pos_x)
  offsets = window_offsets(s, ksize)
  t = len(offsets)
  q5 = q.reshape(h, s, w, s, c)                                    # [m, y, n, x, c]
  qk = jnp.stack([jnp.einsum("mynxc,mnc->mynx", q5, kt, preferred_element_type=F32)
                  for kt in shifted(k, offsets).values()], -1).reshape(h, s, w, s, t, t)
  qpy, qpx = _position_products(q5, pos_y, pos_x, s, ksize)
  return scale * (qk + qpy[..., :, None] + qpx[..., None, :])


def bilinear_taps(s: int) -> tuple[int, ...]:
  """The offsets e with a nonzero bilinear weight for some phase: (0,) for S = 1."""
  taps = bilinear_phase_taps(s)
  return tuple(sorted({o for o, _ in taps} | {o + 1 for o, f in taps if f}))


def bilinear_phase_weights(s: int) -> np.ndarray:
  """`[S, E]`: interior weights, q_up[S*m + y] = sum_e A[y, e] q[m + e] with
  e = bilinear_taps(s) (at the edges: the same on the edge-padded q)."""
  taps = bilinear_taps(s)
  a = np.zeros((s, len(taps)))
  for y, (offset, frac) in enumerate(bilinear_phase_taps(s)):
    a[y, taps.index(offset)] += 1.0 - frac
    if frac:
      a[y, taps.index(offset + 1)] += frac
  return a


def combination_kernel(s: int, ksize: int, wide) -> np.ndarray:
  """The logits as one VALID convolution of the low-resolution features:
  `[E, E, F, S*S*T*T]` float32 (E taps per axis, F = len(wide)^2 + 2*S*T),

      logit(m, n; y, x, a, b) = sum over (ey, ex, f) of
          kernel[ey, ex, f, (y, x, a, b)] * feats[m + ey, n + ex, f]

  over the edge-padded grid, feats = (q . k[+ (wide_i, wide_j)] for every
  pair, q . pos_y per (y, a), q . pos_x per (x, b)). The weight of a tap is
  the bilinear A[y, ey] * A[x, ex]; it takes the product whose key is the
  logit's own, k[m + dy_a, n + dx_b] = k[(m + ey) + (dy_a - ey), ...]."""
  taps, offsets = bilinear_taps(s), window_offsets(s, ksize)
  t, nw, e = len(offsets), len(wide), len(taps)
  weights = bilinear_phase_weights(s)
  kernel = np.zeros((e, e, nw * nw + 2 * s * t, s, s, t, t), np.float32)
  for iy, ey in enumerate(taps):
    for ix, ex in enumerate(taps):
      for y, x, a, b in np.ndindex(s, s, t, t):
        wgt = weights[y, iy] * weights[x, ix]
        if not wgt:
          continue
        i, j = offsets[a] - ey - wide[0], offsets[b] - ex - wide[0]
        kernel[iy, ix, i * nw + j, y, x, a, b] += wgt
        kernel[iy, ix, nw * nw + y * t + a, y, x, a, b] += wgt
        kernel[iy, ix, nw * nw + s * t + x * t + b, y, x, a, b] += wgt
  return kernel.reshape(e, e, -1, s * s * t * t)


def window_products(q, k, wide, rows):
  """`(qk, q . rows)`: `qk[m, n, i, j] = q[m, n] . k[m + wide_i, n + wide_j]`
  (k = 0 outside), `[H, W, len(wide)**2]`, and the products of each query
  with the rows `[P, C]`, `[H, W, P]`, both float32, without a shifted copy
  of k per offset.

  Queries are cut into b x b blocks and each block meets the (b + halo)^2
  keys its windows reach (halo = len(wide) - 1), and the P rows, in one
  matmul; a constant 0/1 table then picks each query's len(wide)^2 products.
  So k is read as one blocked copy ((b + halo)^2 / b^2 of its size), every
  intermediate is of the low-resolution size, in either pass, and the rows'
  products need no copy of q of their own (XLA on CPU kept one for the
  backward). b = max(8, halo); sizes may be symbolic (`jax.export`).
  """
  h, w, c = k.shape
  nw = len(wide)
  halo = nw - 1
  b = max(8, halo)
  kb = window_blocks(k, -int(wide[0]), b, halo)                  # [u, v, K, c]
  nh, nwb, nk, _ = kb.shape
  kb = jnp.concatenate([kb, jnp.broadcast_to(rows, (nh, nwb) + rows.shape)], 2)
  qp = jnp.pad(q, ((0, nh * b - h), (0, nwb * b - w), (0, 0)))
  qb = jnp.moveaxis(qp.reshape(nh, b, nwb, b, c), 1, 2).reshape(nh, nwb, b * b, c)
  full = jnp.einsum("uvqc,uvkc->uvqk", qb, kb, preferred_element_type=F32)
  y, x = np.divmod(np.arange(b * b), b)                          # query in block
  qk = jnp.einsum("uvqk,qkt->uvqt", full[..., :nk], window_picks(y, x, nw, b, halo),
                  precision=jax.lax.Precision.HIGHEST)            # exact selection
  unblock = lambda a: jnp.moveaxis(a.reshape(nh, nwb, b, b, -1), 2, 1).reshape(
      nh * b, nwb * b, a.shape[-1])[:h, :w]
  return unblock(qk), unblock(full[..., nk:])


def shifted_products(q, k, wide, rows):
  """`window_products` as one product per offset with a shifted slice of k
  (and the rows' products as their own matmul)."""
  qk = jnp.stack([jnp.einsum("mnc,mnc->mn", q, kt, preferred_element_type=F32)
                  for kt in shifted(k, wide).values()], -1)
  return qk, jnp.einsum("mnc,pc->mnp", q, rows, preferred_element_type=F32)


def _edge_ring(qk, pos):
  """The features of the edge-padded queries, from those of the image.

  `qk` `[H, W, N, N]` (q . k over the wide window), `pos` `[H, W, P]` ->
  `[H + 2, W + 2, N*N + P]`. A padded query is its edge neighbour's (clamped
  bilinear upsampling is edge padding), and the key of each logit it serves
  is the same key, one window slot further from it: its q . k products are
  the neighbour's shifted by one slot (the slot that falls off is never
  used: zero), its q . pos products the neighbour's."""
  def ring(x, axis, slot_axis):
    lo = jax.lax.slice_in_dim(x, 0, 1, axis=axis)
    hi = jax.lax.slice_in_dim(x, x.shape[axis] - 1, x.shape[axis], axis=axis)
    if slot_axis is not None:
      n = x.shape[slot_axis]
      widths = lambda w: [w if d == slot_axis else (0, 0) for d in range(x.ndim)]
      lo = jnp.pad(jax.lax.slice_in_dim(lo, 0, n - 1, axis=slot_axis), widths((1, 0)))
      hi = jnp.pad(jax.lax.slice_in_dim(hi, 1, n, axis=slot_axis), widths((0, 1)))
    return jnp.concatenate([lo, x, hi], axis)
  qk = ring(ring(qk, 0, 2), 1, 3)
  pos = ring(ring(pos, 0, None), 1, None)
  return jnp.concatenate([qk.reshape(qk.shape[:2] + (-1,)), pos], -1)


def lowres_logits(q, k, pos_y, pos_x, s: int, ksize: int, scale: float,
                  blocked: bool = True):
  """q `[H, W, C]` (low-resolution queries), k `[H, W, C]` -> `[H, S, W, S, T, T]`
  f32; the q . k products by `window_products` (blocked) or `shifted_products`.

  Clamped bilinear upsampling is the interior formula on q padded by edge
  replication, so the logits are one constant combination
  (`combination_kernel`: a VALID 3x3 convolution, as E*E matmuls) of the
  products on that padded grid, which `_edge_ring` takes from the image's
  own products: no weight depends on the position, no product is taken twice."""
  h, w, c = k.shape
  q, k, pos_y, pos_x = _common_dtype(q, k, pos_y, pos_x)
  offsets, taps = window_offsets(s, ksize), bilinear_taps(s)
  t = len(offsets)
  wide = list(range(int(offsets[0]) - taps[-1], int(offsets[-1]) - taps[0] + 1))
  nw = len(wide)
  qk, pos = (window_products if blocked else shifted_products)(
      q, k, wide, position_rows(pos_y, pos_x, s, ksize))           # [H, W, 2*S*T]
  feats = (jnp.concatenate([qk, pos], -1) if len(taps) == 1 else    # S = 1: no taps
           _edge_ring(qk.reshape(h, w, nw, nw), pos))
  kernel = scale * combination_kernel(s, ksize, wide)             # [E, E, F, O]
  logits = None
  for iy, ix in np.ndindex(kernel.shape[:2]):
    term = jnp.einsum("mnf,fo->mno", feats[iy:iy + h, ix:ix + w], kernel[iy, ix],
                      precision=jax.lax.Precision.HIGHEST)
    logits = term if logits is None else logits + term           # [m, n, (y, x, a, b)]
  return jnp.moveaxis(logits.reshape(h, w, s, s, t, t), 2, 1)
