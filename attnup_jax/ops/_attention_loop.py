"""`impl="loop"`: the previous core, with sequential loops and a hand-written VJP.

Both passes loop over the T*T window offsets with `lax.fori_loop`, so one
high-resolution product buffer is reused, and only the inputs and the
attention probabilities are saved for the backward pass. It takes
high-resolution queries (built by bilinear upsampling for the plain layer),
has no forward-mode derivative (custom VJP), and XLA's cost model cannot time
its loops. Kept for comparison in `benchmarks/layer.py`; see docs/BENCHMARKS.md.

Legend: m, n = low-res rows/cols; y, x = output phases (S); t = window offset
(T*T); c = query/key channels; d = value channels.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from attnup_jax.ops._attention_windows import phase_mask, phase_positions, window_offsets


def _window(xp, t, t_side: int, h: int, w: int):
  """Offset t of the padded `xp`: `[h, w, C]` = x[m + dy, n + dx]."""
  return jax.lax.dynamic_slice(xp, (t // t_side, t % t_side, 0), (h, w, xp.shape[-1]))


def _add_window(acc, update, t, t_side: int):
  """Transpose of `_window`: adds `update [h, w, C]` at offset t of `acc`."""
  h, w, c = update.shape
  start = (t // t_side, t % t_side, 0)
  return jax.lax.dynamic_update_slice(
      acc, jax.lax.dynamic_slice(acc, start, (h, w, c)) + update, start)


def _pad(x, offsets):
  lo, hi = -int(offsets[0]), int(offsets[-1])
  return jnp.pad(x, ((lo, hi), (lo, hi), (0, 0)))


@functools.partial(jax.custom_vjp, nondiff_argnums=(5, 6))
def attend(q5, k, v, ptab, valid, offsets, scale):
  """out `[m, y, n, x, d]` = softmax_t(scale * q5 . (k_t + ptab_t), valid) . v_t.

  Args:
    q5: queries `[H, S, W, S, C]` (the high-resolution grid, reshaped).
    k: keys `[H, W, C]`; v: values `[H, W, D]` (low resolution).
    ptab: position encodings `[S, S, T*T, C]` per phase and offset.
    valid: bool `[H, S, W, S, T*T]`, the mask of attendable pairs.
    offsets: low-resolution offsets dy (static tuple of T ints).
    scale: logit scale.
  """
  return _forward(q5, k, v, ptab, valid, offsets, scale)[0]


def _forward(q5, k, v, ptab, valid, offsets, scale):
  offsets = np.asarray(offsets)
  h, w, _ = k.shape
  t_side = len(offsets)
  kp = _pad(k, offsets)

  def logit(t):
    kt = _window(kp, t, t_side, h, w)
    pt = jax.lax.dynamic_index_in_dim(ptab, t, axis=2, keepdims=False)   # [y, x, c]
    return jnp.sum(q5 * (kt[:, None, :, None, :] + pt[None, :, None, :, :]), -1)

  logits = jnp.moveaxis(jax.lax.map(logit, jnp.arange(t_side * t_side)), 0, -1)
  logits = jnp.where(valid, scale * logits, -jnp.inf)
  p = jax.nn.softmax(logits, axis=-1)                                    # [m,y,n,x,t]
  vp = _pad(v, offsets)

  def accumulate(t, out):
    vt = _window(vp, t, t_side, h, w)
    pt = jax.lax.dynamic_index_in_dim(p, t, axis=4, keepdims=True)
    return out + pt * vt[:, None, :, None, :]

  out = jax.lax.fori_loop(0, t_side * t_side, accumulate,
                          jnp.zeros(q5.shape[:-1] + v.shape[-1:], v.dtype))
  return out, p


def _fwd(q5, k, v, ptab, valid, offsets, scale):
  out, p = _forward(q5, k, v, ptab, valid, offsets, scale)
  return out, (q5, k, v, ptab, valid, p)


def _bwd(offsets, scale, res, g):
  q5, k, v, ptab, valid, p = res
  offsets = np.asarray(offsets)
  h, w, _ = k.shape
  t_side = len(offsets)
  n_t = t_side * t_side
  kp, vp = _pad(k, offsets), _pad(v, offsets)

  def dprob(t):
    return jnp.sum(g * _window(vp, t, t_side, h, w)[:, None, :, None, :], -1)

  dp = jnp.moveaxis(jax.lax.map(dprob, jnp.arange(n_t)), 0, -1)          # [m,y,n,x,t]
  dlogits = scale * p * (dp - jnp.sum(p * dp, -1, keepdims=True))

  def step(t, carry):
    dq5, dkp, dvp, dptab = carry
    kt = _window(kp, t, t_side, h, w)
    pt_enc = jax.lax.dynamic_index_in_dim(ptab, t, axis=2, keepdims=False)
    dl = jax.lax.dynamic_index_in_dim(dlogits, t, axis=4, keepdims=True)
    pr = jax.lax.dynamic_index_in_dim(p, t, axis=4, keepdims=True)
    dq5 = dq5 + dl * (kt[:, None, :, None, :] + pt_enc[None, :, None, :, :])
    dkp = _add_window(dkp, jnp.sum(dl * q5, axis=(1, 3)), t, t_side)
    dvp = _add_window(dvp, jnp.sum(pr * g, axis=(1, 3)), t, t_side)
    dptab = jax.lax.dynamic_update_index_in_dim(
        dptab, jnp.sum(dl * q5, axis=(0, 2)), t, axis=2)
    return dq5, dkp, dvp, dptab

  init = (jnp.zeros_like(q5), jnp.zeros_like(kp), jnp.zeros_like(vp),
          jnp.zeros_like(ptab))
  dq5, dkp, dvp, dptab = jax.lax.fori_loop(0, n_t, step, init)
  lo = -int(offsets[0])
  return (dq5, dkp[lo:lo + h, lo:lo + w], dvp[lo:lo + h, lo:lo + w], dptab,
          np.zeros(valid.shape, jax.dtypes.float0))   # no gradient for the mask


attend.defvjp(_fwd, _bwd)


def position_table(pos_y, pos_x, s: int, ksize: int):
  """`[S, S, T*T, C]`: concat(pos_y[ky], pos_x[kx]) seen by phase (ry, rx) at
  offset (dy, dx); arbitrary where the pair is outside the window (masked)."""
  t = len(window_offsets(s, ksize))
  ty = phase_positions(pos_y, s, ksize)                             # [y, a, c/2]
  tx = phase_positions(pos_x, s, ksize)                             # [x, b, c/2]
  half = ty.shape[-1]
  ty = jnp.broadcast_to(ty[:, None, :, None, :], (s, s, t, t, half))
  tx = jnp.broadcast_to(tx[None, :, None, :, :], (s, s, t, t, half))
  return jnp.concatenate([ty, tx], -1).reshape(s, s, t * t, 2 * half)


def loop_one(q, k, v, pos_y, pos_x, s: int, ksize: int, scale: float):
  """One image. q `[S*H, S*W, C]`, k `[H, W, C]`, v `[H, W, D]` -> `[S*H, S*W, D]`
  (computed in float32, returned in `v.dtype`)."""
  h, w, c = k.shape
  f32 = jnp.float32
  offsets = tuple(int(o) for o in window_offsets(s, ksize))
  t = len(offsets)
  out = attend(q.astype(f32).reshape(h, s, w, s, c), k.astype(f32), v.astype(f32),
               position_table(pos_y.astype(f32), pos_x.astype(f32), s, ksize),
               phase_mask(h, w, s, ksize).reshape(h, s, w, s, t * t), offsets, scale)
  return out.reshape(h * s, w * s, v.shape[-1]).astype(v.dtype)
