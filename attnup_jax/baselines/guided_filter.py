"""The guided filter (He, Sun, Tang, ECCV 2010, colour guide, Sec. 3.5) applied
to the bicubic-upsampled depth with the HR RGB guide.

In every (2r+1) x (2r+1) window k the output is an affine function of the
guide, `q = a_k . I + b_k`, fitted to the input p by ridge regression:

    a_k = (Sigma_k + eps U)^-1 cov_k(I, p),   b_k = mean_k(p) - a_k . mean_k(I)
    q(i) = mean over the windows k covering i of (a_k . I(i) + b_k)

Holes: p = bicubic(depth_lr) is only trusted at HR pixels whose bicubic taps
(the 4 x 4 LR window of `_grid`) hold no hole; the window statistics are means
over those pixels only (weight 0 elsewhere), windows without one are skipped,
and a pixel covered by no usable window gets the image's valid LR mean.
Windows are clipped at the image border, as He et al.'s box filter. Pure JAX.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from attnup_jax import ops
from attnup_jax.baselines import _checks, _grid
from attnup_jax.baselines.jbu import fill_empty

# Chosen on the RGB-D-D train split (first 300 sorted ids) by
# `python scripts/depth_baselines.py tune` (grid over radius x eps, mean
# per-image RMSE); radius in HR pixels, eps on the guide's RGB in [0, 1].
GF_PARAMS = {4: dict(radius=2, eps=1e-4),
             8: dict(radius=4, eps=1e-3),
             16: dict(radius=8, eps=1e-4)}


def box_sum(x: jax.Array, radius: int) -> jax.Array:
  """Sums over the (2r+1) x (2r+1) window clipped to the image:
  `[..., H, W, C]` -> `[..., H, W, C]` (cumulative sums, O(1) in r)."""
  def one_axis(x, axis):
    n = x.shape[axis]
    pad = [(0, 0)] * x.ndim
    pad[axis] = (radius + 1, radius)
    s = jnp.cumsum(jnp.pad(x, pad), axis=axis)
    hi = jax.lax.slice_in_dim(s, 2 * radius + 1, 2 * radius + 1 + n, axis=axis)
    lo = jax.lax.slice_in_dim(s, 0, n, axis=axis)
    return hi - lo
  return one_axis(one_axis(x, x.ndim - 3), x.ndim - 2)


def trusted_pixels(depth_lr: jax.Array, factor: int) -> jax.Array:
  """`[..., M*h, M*w, 1]` bool: HR pixels whose 4 x 4 bicubic taps hold no hole."""
  v_nb, inside = _grid.window(depth_lr > 0)                     # [.., h,w,T,1]
  ok = jnp.all(v_nb[..., 0] | ~inside, axis=-1)                 # [.., h, w]
  ok = jnp.repeat(jnp.repeat(ok, factor, axis=-2), factor, axis=-1)
  return ok[..., None]


def weighted_guided_filter(p: jax.Array, guide: jax.Array, weight: jax.Array,
                           radius: int, eps: float) -> tuple[jax.Array, jax.Array]:
  """The colour guided filter with per-pixel weights (0 or 1).

  Args:
    p: `[..., H, W, 1]` input.
    guide: `[..., H, W, 3]`.
    weight: `[..., H, W, 1]`, the pixels the regressions are fitted on.
    radius, eps: window radius r (static) and ridge eps.

  Returns:
    (`[..., H, W, 1]` float32 output, `[..., H, W, 1]` bool: covered by at
    least one window with a weighted pixel).
  """
  f32 = jnp.float32
  w = weight.astype(f32)
  # Centring does not change the result (shift-invariant in I, affine in p)
  # and keeps the float32 window moments accurate.
  i_img = guide.astype(f32)
  i_img = i_img - i_img.mean(axis=(-3, -2), keepdims=True)
  p_mean = (p * w).sum(axis=(-3, -2), keepdims=True) / jnp.maximum(
      w.sum(axis=(-3, -2), keepdims=True), f32(1))
  pc = (p.astype(f32) - p_mean) * w
  outer = (i_img[..., :, None] * i_img[..., None, :])          # [.., H, W, 3, 3]
  stats = jnp.concatenate([
      w, i_img * w, pc, outer.reshape(*outer.shape[:-2], 9) * w, i_img * pc], -1)
  s = box_sum(stats, radius)
  cnt = s[..., 0:1]
  ok = cnt > f32(0.5)
  n = jnp.maximum(cnt, f32(1))
  mu_i, mu_p = s[..., 1:4] / n, s[..., 4:5] / n
  sigma = (s[..., 5:14] / n).reshape(*s.shape[:-1], 3, 3)
  sigma = sigma - mu_i[..., :, None] * mu_i[..., None, :]
  cov = s[..., 14:17] / n - mu_i * mu_p
  eye = jnp.eye(3, dtype=f32).reshape((1,) * (sigma.ndim - 2) + (3, 3))
  a = jnp.linalg.solve(sigma + f32(eps) * eye, cov[..., None])[..., 0]
  b = mu_p - jnp.sum(a * mu_i, axis=-1, keepdims=True)
  okf = ok.astype(f32)
  t = box_sum(jnp.concatenate([okf, a * okf, b * okf], -1), radius)
  m = jnp.maximum(t[..., 0:1], f32(1))
  q = jnp.sum(t[..., 1:4] / m * i_img, axis=-1, keepdims=True) + t[..., 4:5] / m
  return q + p_mean, t[..., 0:1] > f32(0.5)


@functools.partial(jax.jit, static_argnames=("factor", "radius"))
def guided_filter_upsample(depth_lr: jax.Array, guide: jax.Array, factor: int,
                           radius: int = 8, eps: float = 1e-3) -> jax.Array:
  """The guided filter on the grid-aligned bicubic upsampling of depth_lr.

  Args:
    depth_lr: `[..., h, w, 1]`, `hr[::M, ::M]` (0 = hole), any units.
    guide: `[..., M*h, M*w, 3]` RGB in [0, 1].
    factor: M (static).
    radius: window radius r in HR pixels (static).
    eps: ridge regulariser on the guide's RGB.

  Returns:
    `[..., M*h, M*w, 1]` float32, in depth_lr's units.

  Example:
    >>> d = jnp.full((1, 4, 4, 1), 2.0); g = jnp.zeros((1, 16, 16, 3))
    >>> round(float(guided_filter_upsample(d, g, 4, radius=2)[0, 5, 7, 0]), 4)
    2.0
  """
  _checks.check_pair(depth_lr, guide, factor)
  p = ops.bicubic_upsample(depth_lr.astype(jnp.float32), factor, "grid")
  q, covered = weighted_guided_filter(p, guide, trusted_pixels(depth_lr, factor),
                                      radius, eps)
  return fill_empty(q, covered, depth_lr, depth_lr > 0)
