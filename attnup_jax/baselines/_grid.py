"""Grid-sampled low-resolution neighbourhoods and their masked averages.

LR sample m of a grid-sampled map (`lr = hr[::M, ::M]`) sits on HR pixel M*m.
HR pixel `y = M*m + r` (phase r in [0, M)) lies between samples m and m + 1;
its window is the 4 x 4 samples `m + d`, `d in OFFSETS = (-1, 0, 1, 2)` per
axis, at signed distance `d - r/M` LR pixels. Shapes (B any leading dims):

    x_lr      [B, h, w, C]          -> window(x_lr)      [B, h, w, T, C]   (T = 16)
    logits    [B, h, M, w, M, T]    (HR pixel (M*m + ry, M*n + rx) = [m, ry, n, rx])
    masked_softmax(logits, mask [B, h, w, T])                 -> weights like logits
    weighted_average(weights, values, mask)                   = masked_average
    masked_average(logits, values [B, h, w, T, Cv], mask [B, h, w, T]) -> [B, H, W, Cv]

Window positions past the image border are invalid (mask False), never zeros.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

OFFSETS = (-1, 0, 1, 2)
T = len(OFFSETS) ** 2


def window(x_lr: jax.Array) -> tuple[jax.Array, jax.Array]:
  """The 4 x 4 neighbours of every LR cell.

  Args:
    x_lr: `[..., h, w, C]`.

  Returns:
    (`[..., h, w, T, C]` neighbour values, zero outside the image;
     `[..., h, w, T]` bool, True inside the image). Neighbour t = 4*i + j is
     sample (m + OFFSETS[i], n + OFFSETS[j]).
  """
  *lead, h, w, c = x_lr.shape
  lo, hi = -OFFSETS[0], OFFSETS[-1]
  pad = [(0, 0)] * len(lead) + [(lo, hi), (lo, hi), (0, 0)]
  xp = jnp.pad(x_lr, pad)
  inside = jnp.pad(jnp.ones((h, w), bool), [(lo, hi), (lo, hi)])
  vals, masks = [], []
  for dy in OFFSETS:
    for dx in OFFSETS:
      vals.append(xp[..., lo + dy:lo + dy + h, lo + dx:lo + dx + w, :])
      masks.append(inside[lo + dy:lo + dy + h, lo + dx:lo + dx + w])
  mask = jnp.broadcast_to(jnp.stack(masks, -1), (*lead, h, w, T))
  return jnp.stack(vals, -2), mask


def spatial_sq_distance(factor: int) -> jax.Array:
  """`[M, M, T]` float32: squared distance in LR pixels from HR phase (ry, rx)
  to window sample t, `(dy - ry/M)^2 + (dx - rx/M)^2`."""
  r = jnp.arange(factor, dtype=jnp.float32) / factor           # [M]
  d = jnp.asarray(OFFSETS, jnp.float32)                        # [4]
  dist = (d[None, :] - r[:, None]) ** 2                        # [M, 4]
  sq = dist[:, None, :, None] + dist[None, :, None, :]         # [M, M, 4, 4]
  return sq.reshape(factor, factor, T)


def to_phases(x_hr: jax.Array, factor: int) -> jax.Array:
  """`[..., M*h, M*w, C]` -> `[..., h, M, w, M, C]` (HR pixel (M*m+ry, M*n+rx))."""
  *lead, hh, ww, c = x_hr.shape
  return x_hr.reshape(*lead, hh // factor, factor, ww // factor, factor, c)


def from_phases(x: jax.Array) -> jax.Array:
  """`[..., h, M, w, M, C]` -> `[..., M*h, M*w, C]` (inverse of `to_phases`)."""
  *lead, h, m, w, n, c = x.shape
  return x.reshape(*lead, h * m, w * n, c)


def masked_softmax(logits: jax.Array, mask: jax.Array) -> jax.Array:
  """Softmax of `logits [..., h, M, w, M, T]` over the window samples where
  `mask [..., h, w, T]` is True; float32, 0 at masked samples, all 0 where no
  sample of the window is valid."""
  logits = logits.astype(jnp.float32)
  m = mask[..., :, None, :, None, :]                           # [.., h,1,w,1,T]
  m = jnp.broadcast_to(m, logits.shape)
  top = jnp.max(jnp.where(m, logits, -jnp.inf), axis=-1, keepdims=True)
  top = jax.lax.stop_gradient(jnp.where(jnp.isfinite(top), top, jnp.float32(0)))
  # Masked logits are replaced before exp, so their (unused) branch stays
  # finite and where's gradient is 0, not 0 * inf = NaN.
  safe = jnp.where(m, logits, top)
  e = jnp.where(m, jnp.exp(safe - top), jnp.float32(0))        # [.., h,M,w,M,T]
  return e / jnp.maximum(e.sum(-1, keepdims=True), jnp.float32(1e-30))


def masked_average(logits: jax.Array, values: jax.Array,
                   mask: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Softmax over the valid window samples, then the weighted mean of values.

  Args:
    logits: `[..., h, M, w, M, T]`.
    values: `[..., h, w, T, Cv]`.
    mask: `[..., h, w, T]` bool, True where a sample may be attended.

  Returns:
    (`[..., M*h, M*w, Cv]` float32, 0 where no sample of the window is valid;
     `[..., M*h, M*w, 1]` bool, True where at least one sample is valid).
  """
  return weighted_average(masked_softmax(logits, mask), values, mask)


def weighted_average(weights: jax.Array, values: jax.Array,
                     mask: jax.Array) -> tuple[jax.Array, jax.Array]:
  """`masked_average` from its weights `[..., h, M, w, M, T]`
  (`masked_softmax`): the same two outputs."""
  out = jnp.einsum("...hywxt,...hwtc->...hywxc", weights, values.astype(jnp.float32))
  any_valid = jnp.broadcast_to(mask.any(-1)[..., :, None, :, None, None],
                               out.shape[:-1] + (1,))
  return from_phases(out), from_phases(any_valid)


def masked_image_mean(x_lr: jax.Array, valid: jax.Array) -> jax.Array:
  """Mean of the valid samples per image: `[..., h, w, C]` -> `[..., 1, 1, C]`
  (0 for an image with no valid sample)."""
  v = valid.astype(jnp.float32)
  s = (x_lr.astype(jnp.float32) * v).sum(axis=(-3, -2), keepdims=True)
  n = v.sum(axis=(-3, -2), keepdims=True)
  return s / jnp.maximum(n, jnp.float32(1))
