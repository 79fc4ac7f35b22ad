"""The fast path's inner loop with a hand-written backward pass (custom VJP).

Autodiff of the phase-decomposed attention keeps one high-resolution product
per window offset alive at once (XLA on CPU materialises each broadcast
product before reducing it): ~3x the memory of a transposed convolution.
Here both passes loop over the T*T window offsets with `lax.fori_loop`, so one
product buffer is reused, and only the inputs and the (small) attention
probabilities are saved for the backward pass.

Legend: m, n = low-res rows/cols; y, x = output phases (S); t = window offset
(T*T); c = query/key channels; d = value channels.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np


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
