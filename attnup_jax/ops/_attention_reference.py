"""The literal masked windowed attention of Eqs. 11-12: the readable definition
and the test oracle. Materialises S*S*K*K times more data than needed.

Legend: h, w = high-resolution rows/cols (S*H, S*W); t = window index ky*K+kx;
c = query/key channels; d = value channels.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from attnup_jax.ops._patches import _extract_one
from attnup_jax.ops._resample import _zero_upsample_one


def window_position_table(pos_y, pos_x):
  """`[K, C//2]`, `[K, C//2]` -> `[K*K, C]`: row t = ky*K+kx is concat(pos_y[ky], pos_x[kx])."""
  k, half = pos_y.shape
  py = jnp.broadcast_to(pos_y[:, None, :], (k, k, half))
  px = jnp.broadcast_to(pos_x[None, :, :], (k, k, half))
  return jnp.concatenate([py, px], axis=-1).reshape(k * k, 2 * half)


def reference_one(q, k, v, pos_y, pos_x, s: int, ksize: int, scale: float):
  """One image. q `[S*H, S*W, C]`, k `[H, W, C]`, v `[H, W, D]`.

  Returns (out `[S*H, S*W, D]`, weights `[S*H, S*W, K*K]`).
  """
  h, w, _ = k.shape
  f32 = jnp.float32
  k_up = _zero_upsample_one(k.astype(f32), s)                    # [hs, ws, c]
  v_up = _zero_upsample_one(v.astype(f32), s)                    # [hs, ws, d]
  ones_up = _zero_upsample_one(jnp.ones((h, w, 1), f32), s)      # the mask M (Eq. 11)
  k_win = _extract_one(k_up, ksize)                              # [hs, ws, t, c]
  v_win = _extract_one(v_up, ksize)                              # [hs, ws, t, d]
  valid = _extract_one(ones_up, ksize)[..., 0] > 0               # [hs, ws, t]
  pos = window_position_table(pos_y.astype(f32), pos_x.astype(f32))  # [t, c]
  logits = scale * jnp.einsum("hwc,hwtc->hwt", q.astype(f32), k_win + pos[None, None])
  logits = jnp.where(valid, logits, -jnp.inf)
  weights = jax.nn.softmax(logits, axis=-1)
  out = jnp.einsum("hwt,hwtd->hwd", weights, v_win)
  return out.astype(v.dtype), weights
