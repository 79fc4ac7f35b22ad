"""Area (block-mean) downsampling by an integer factor."""

from __future__ import annotations

import jax


def area_downsample(x: jax.Array, d: int) -> jax.Array:
  """Area downsampling by d: `[..., H, W, C]` -> `[..., H/d, W/d, C]` (d | H, W)."""
  if d == 1:
    return x
  *lead, h, w, c = x.shape
  return x.reshape(*lead, h // d, d, w // d, d, c).mean(axis=(-4, -2))
