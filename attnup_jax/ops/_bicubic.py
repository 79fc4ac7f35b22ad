"""Bicubic upsampling by an integer factor, grid- or centre-aligned.

    bicubic_upsample(lr [..., h, w, C], M, align) -> [..., M*h, M*w, C]

The depth models' residual path and the bicubic baseline of the depth tables.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from attnup_jax.ops._checks import check_power_of_two


@functools.partial(jax.jit, static_argnames=("factor", "align"))
def bicubic_upsample(lr, factor: int, align: str = "grid") -> jax.Array:
  """Bicubic upsampling by M with `jax.image.scale_and_translate(..., 'cubic')`.

  Keys cubic convolution (a = -0.5, as MATLAB `imresize` and PIL BICUBIC),
  no antialiasing (upsampling).

  Args:
    lr: `[..., h, w, C]` float.
    factor: M, a power of two.
    align: 'grid': LR sample m sits on HR pixel M*m, matching `lr_by_grid`
      (`out[::M, ::M] == lr` exactly). The LR map is edge-padded by 2 samples
      first, so every output has its four taps (the last M-1 rows and columns
      lie past the last sample: they extrapolate towards the replicated edge,
      rather than being zeroed as `scale_and_translate` does for outputs that
      map outside the input). 'center': half-pixel centres, exactly
      `jax.image.resize(lr, ..., 'cubic')` (out-of-image taps dropped and the
      weights renormalised), matching `lr_by_bicubic`.

  Returns:
    `[..., M*h, M*w, C]`, lr's dtype.
  """
  m = check_power_of_two(factor, "factor")
  if align not in ("grid", "center"):
    raise ValueError(f"align must be 'grid' or 'center', got {align!r}.")
  if lr.ndim < 3:
    raise ValueError(f"lr must be [..., h, w, C], got shape {lr.shape}.")
  *lead, h, w, c = lr.shape
  if align == "center":
    return jax.image.resize(lr, (*lead, m * h, m * w, c), "cubic")
  p = 2
  pad = [(0, 0)] * len(lead) + [(p, p), (p, p), (0, 0)]
  x = jnp.pad(lr, pad, mode="edge")
  nd = lr.ndim
  shift = (1.0 - m) / 2.0      # padded sample j -> output pixel M*j
  out = jax.image.scale_and_translate(
      x, (*lead, m * (h + 2 * p), m * (w + 2 * p), c), (nd - 3, nd - 2),
      jnp.array([m, m], jnp.float32), jnp.array([shift, shift], jnp.float32),
      method="cubic", antialias=False)
  return out[..., m * p:m * (p + h), m * p:m * (p + w), :]
