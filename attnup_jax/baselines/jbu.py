"""Joint bilateral upsampling (Kopf, Cohen, Lischinski, Uyttendaele, SIGGRAPH 2007).

Every HR pixel p averages the valid LR samples q of its 4 x 4 window
(`_grid.OFFSETS`), weighted by a spatial Gaussian on their distance in LR
pixels and a range Gaussian on the guide's colour difference between p and
q's HR position (`guide[M*m, M*n]`):

    w(p, q) = exp(-|p/M - q|^2 / (2 sigma_s^2) - |I(p) - I(M q)|^2 / (2 sigma_r^2))
    out(p)  = sum_q w(p, q) D(q) / sum_q w(p, q)        over q with D(q) > 0

Holes (D = 0) take no part; a pixel whose whole window is holes gets the mean
of the image's valid LR samples. Pure JAX: jit- and vmap-able, batch dims lead.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from attnup_jax.baselines import _checks, _grid

# Chosen on the RGB-D-D train split (first 300 sorted ids) by
# `python scripts/depth_baselines.py tune` (grid over sigma_s x sigma_r, mean
# per-image RMSE at x4, x8, x16); guide RGB in [0, 1], sigma_s in LR pixels.
JBU_PARAMS = {4: dict(sigma_spatial=0.5, sigma_range=0.4),
              8: dict(sigma_spatial=0.5, sigma_range=0.4),
              16: dict(sigma_spatial=0.5, sigma_range=0.4)}


def bilateral_logits(guide: jax.Array, factor: int, sigma_spatial,
                     sigma_range) -> jax.Array:
  """Log JBU weights `[..., h, M, w, M, T]` of every HR pixel's window.

  Args:
    guide: `[..., M*h, M*w, Cg]`, read at every HR pixel and at the samples'
      HR positions `guide[::M, ::M]`.
    sigma_spatial: spatial sigma in LR pixels (scalar, may be traced).
    sigma_range: range sigma in guide units (scalar, may be traced).
  """
  g = guide.astype(jnp.float32)
  g_hr = _grid.to_phases(g, factor)                            # [.., h,M,w,M,C]
  g_nb, _ = _grid.window(g[..., ::factor, ::factor, :])        # [.., h,w,T,C]
  diff = g_hr[..., :, :, :, :, None, :] - g_nb[..., :, None, :, None, :, :]
  colour = jnp.sum(diff * diff, axis=-1)                       # [.., h,M,w,M,T]
  space = _grid.spatial_sq_distance(factor)[None, :, None, :, :]   # [1,M,1,M,T]
  two = jnp.float32(2)
  space = jnp.broadcast_to(space, colour.shape)
  return (-space / (two * jnp.float32(sigma_spatial) ** 2)
          - colour / (two * jnp.float32(sigma_range) ** 2))


def fill_empty(out: jax.Array, any_valid: jax.Array, depth_lr: jax.Array,
               valid_lr: jax.Array) -> jax.Array:
  """`out` where a window had a valid sample, else the image's valid LR mean."""
  mean = _grid.masked_image_mean(depth_lr, valid_lr)           # [.., 1, 1, 1]
  return jnp.where(any_valid, out, jnp.broadcast_to(mean, out.shape))


@functools.partial(jax.jit, static_argnames=("factor",))
def jbu_upsample(depth_lr: jax.Array, guide: jax.Array, factor: int,
                 sigma_spatial: float = 0.5,
                 sigma_range: float = 0.1) -> jax.Array:
  """Joint bilateral upsampling of grid-sampled depth.

  Args:
    depth_lr: `[..., h, w, 1]`, `hr[::M, ::M]` (0 = hole), any units.
    guide: `[..., M*h, M*w, 3]` RGB in [0, 1].
    factor: M (static).
    sigma_spatial: spatial sigma, LR pixels.
    sigma_range: range sigma on the guide's RGB.

  Returns:
    `[..., M*h, M*w, 1]` float32, in depth_lr's units.

  Example:
    >>> d = jnp.ones((1, 4, 4, 1)); g = jnp.zeros((1, 16, 16, 3))
    >>> round(float(jbu_upsample(d, g, 4)[0, 5, 7, 0]), 5)
    1.0
  """
  _checks.check_pair(depth_lr, guide, factor)
  valid = depth_lr[..., 0] > 0                                 # [.., h, w]
  d_nb, inside = _grid.window(depth_lr.astype(jnp.float32))    # [.., h,w,T,1]
  v_nb, _ = _grid.window(valid[..., None])
  mask = inside & v_nb[..., 0]
  logits = bilateral_logits(guide, factor, sigma_spatial, sigma_range)
  out, any_valid = _grid.masked_average(logits, d_nb, mask)
  return fill_empty(out, any_valid, depth_lr, valid[..., None])
