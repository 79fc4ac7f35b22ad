"""Phase-window logits `[H, S, W, S, T, T]` (float32), from high- or low-resolution queries.

    logit(m, y, n, x; a, b) = scale * q_hr[S*m + y, S*n + x] . (k[m + dy_a, n + dx_b] + P)

with P = concat(pos_y[ky], pos_x[kx]) of the window slot (SPEC Sec. 1).

`highres_logits` takes the queries on the high-resolution grid (guided
attention, the depth model). `lowres_logits` takes low-resolution queries `q`
whose bilinear upsampling (half-pixel centres, edges clamped: as
`ops.bilinear_upsample` and `jax.image.resize`) are the queries. Upsampling is
linear, q_hr[S*m + y] = sum_e A[m, y, e] q[m + e] along each axis with
e in {-1, 0, 1}, so every logit is a fixed combination of low-resolution
products q[m + ey, n + ex] . k[m + dy, n + dx] over a window one pixel wider
than T on each side, and of q . pos products. Nothing of size S*H x S*W x C
is built, in either pass.

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


def _position_products(q, pos_y, pos_x, s: int, ksize: int, spec: str):
  """q . pos_y[ky(y, a)] and q . pos_x[kx(x, b)] on the queries' own grid."""
  half = q.shape[-1] // 2
  table_y = phase_positions(pos_y, s, ksize)                       # [y, a, c/2]
  table_x = phase_positions(pos_x, s, ksize)                       # [x, b, c/2]
  qpy = jnp.einsum(spec.format("y", "a"), q[..., :half], table_y,
                   preferred_element_type=F32)
  qpx = jnp.einsum(spec.format("x", "b"), q[..., half:], table_x,
                   preferred_element_type=F32)
  return qpy, qpx


def highres_logits(q, k, pos_y, pos_x, s: int, ksize: int, scale: float):
  """q `[S*H, S*W, C]`, k `[H, W, C]`, pos `[K, C//2]` -> `[H, S, W, S, T, T]` f32."""
  h, w, c = k.shape
  q, k, pos_y, pos_x = _common_dtype(q, k, pos_y, pos_x)
  offsets = window_offsets(s, ksize)
  t = len(offsets)
  q5 = q.reshape(h, s, w, s, c)                                    # [m, y, n, x, c]
  qk = jnp.stack([jnp.einsum("mynxc,mnc->mynx", q5, kt, preferred_element_type=F32)
                  for kt in shifted(k, offsets).values()], -1).reshape(h, s, w, s, t, t)
  qpy, qpx = _position_products(q5, pos_y, pos_x, s, ksize, "mynxc,{0}{1}c->mynx{1}")
  return scale * (qk + qpy[..., :, None] + qpx[..., None, :])


def bilinear_taps(s: int) -> tuple[int, ...]:
  """The offsets e with a nonzero bilinear weight for some phase: (0,) for S = 1."""
  taps = bilinear_phase_taps(s)
  return tuple(sorted({o for o, _ in taps} | {o + 1 for o, f in taps if f}))


def bilinear_axis_weights(n, s: int):
  """`[N, S, E]` f32: q_up[S*m + y] = sum_e A[m, y, e] q[m + e] (E = bilinear_taps).

  The two taps of each phase are clamped to the edge, as `bilinear_upsample`
  does, and folded onto the pixel they land on, so the weights near the border
  depend on m. Built from `iota`, so N may be symbolic.
  """
  m = jax.lax.broadcasted_iota(jnp.int32, (n,), 0)
  rows = []
  for offset, frac in bilinear_phase_taps(s):
    per_e = []
    for e in bilinear_taps(s):
      weight = jnp.zeros((n,), F32)
      for u, a in ((0, 1.0 - frac), (1, frac)):
        if a:
          source = jnp.clip(m + offset + u, 0, n - 1)
          weight = weight + jnp.where(source == m + e, jnp.float32(a), jnp.float32(0))
      per_e.append(weight)
    rows.append(jnp.stack(per_e, -1))                              # [N, E]
  return jnp.stack(rows, 1)                                        # [N, S, E]


def window_products(q, k, wide) -> jax.Array:
  """`qk[m, n, i, j] = q[m, n] . k[m + wide_i, n + wide_j]` (k = 0 outside),
  `[H, W, len(wide)**2]` float32, without a shifted copy of k per offset.

  Queries are cut into b x b blocks and each block meets the (b + halo)^2
  keys its windows reach (halo = len(wide) - 1) in one matmul; a constant
  0/1 table then picks each query's len(wide)^2 products. So k is read as
  one blocked copy ((b + halo)^2 / b^2 of its size) and every intermediate
  is of the low-resolution size, in either pass. b = max(8, halo); sizes
  may be symbolic (`jax.export`).
  """
  h, w, c = k.shape
  nw = len(wide)
  halo = nw - 1
  b = max(8, halo)
  kb = window_blocks(k, -int(wide[0]), b, halo)                  # [u, v, K, c]
  nh, nwb = kb.shape[:2]
  qp = jnp.pad(q, ((0, nh * b - h), (0, nwb * b - w), (0, 0)))
  qb = jnp.moveaxis(qp.reshape(nh, b, nwb, b, c), 1, 2).reshape(nh, nwb, b * b, c)
  full = jnp.einsum("uvqc,uvkc->uvqk", qb, kb, preferred_element_type=F32)
  y, x = np.divmod(np.arange(b * b), b)                          # query in block
  qk = jnp.einsum("uvqk,qkt->uvqt", full, window_picks(y, x, nw, b, halo),
                  precision=jax.lax.Precision.HIGHEST)            # exact selection
  qk = jnp.moveaxis(qk.reshape(nh, nwb, b, b, nw * nw), 2, 1)
  return qk.reshape(nh * b, nwb * b, nw * nw)[:h, :w]


def shifted_products(q, k, wide) -> jax.Array:
  """`window_products` as one product per offset with a shifted slice of k."""
  return jnp.stack([jnp.einsum("mnc,mnc->mn", q, kt, preferred_element_type=F32)
                    for kt in shifted(k, wide).values()], -1)


def lowres_logits(q, k, pos_y, pos_x, s: int, ksize: int, scale: float,
                  blocked: bool = True):
  """q `[H, W, C]` (low-resolution queries), k `[H, W, C]` -> `[H, S, W, S, T, T]`
  f32; the q . k products by `window_products` (blocked) or `shifted_products`."""
  h, w, c = k.shape
  q, k, pos_y, pos_x = _common_dtype(q, k, pos_y, pos_x)
  offsets, taps = window_offsets(s, ksize), bilinear_taps(s)
  t = len(offsets)
  wide = range(int(offsets[0]) - taps[-1], int(offsets[-1]) - taps[0] + 1)
  nw = len(wide)
  qk = (window_products if blocked else shifted_products)(q, k, list(wide))
  qpy, qpx = _position_products(q, pos_y, pos_x, s, ksize, "mnc,{0}{1}c->mn{0}{1}")
  feats = jnp.concatenate([qk, qpy.reshape(h, w, s * t), qpx.reshape(h, w, s * t)], -1)
  ay, ax = bilinear_axis_weights(h, s), bilinear_axis_weights(w, s)
  logits = None
  for (ey, ex), f in shifted(feats, taps).items():                # f = feats[m+ey, n+ex]
    i0, j0 = int(offsets[0]) - ey - wide[0], int(offsets[0]) - ex - wide[0]
    qk_e = f[..., :nw * nw].reshape(h, w, nw, nw)[:, :, i0:i0 + t, j0:j0 + t]
    qpy_e = f[..., nw * nw:nw * nw + s * t].reshape(h, w, s, t)   # [m, n, y, a]
    qpx_e = f[..., nw * nw + s * t:].reshape(h, w, s, t)          # [m, n, x, b]
    term = (qk_e[:, None, :, None] +
            jnp.moveaxis(qpy_e, 2, 1)[:, :, :, None, :, None] +
            qpx_e[:, None, :, :, None, :])                         # [m, y, n, x, a, b]
    weight = (ay[:, :, None, None, taps.index(ey)] *
              ax[None, None, :, :, taps.index(ex)])                # [m, y, n, x]
    term = weight[..., None, None] * term
    logits = term if logits is None else logits + term
  return scale * logits
