"""Zero-upsampling and bilinear upsampling by an integer stride (paper Eqs. 4, 10).

Shapes: `x: [..., H, W, C]` -> `[..., S*H, S*W, C]`; leading batch dims are vmapped.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from attnup_jax.ops._batching import batched
from attnup_jax.ops._checks import check_rank, check_stride


def _zero_upsample_one(x, s: int):
  h, w, c = x.shape
  # [H, 1, W, 1, C] placed at phase (0, 0) of [H, S, W, S, C]: out[S*m, S*n] = x[m, n].
  out = jnp.zeros((h, s, w, s, c), x.dtype).at[:, 0, :, 0, :].set(x)
  return out.reshape(h * s, w * s, c)


@functools.partial(jax.jit, static_argnames=("stride",))
def zero_upsample(x: jax.Array, stride: int) -> jax.Array:
  """Zero-upsampling (Eq. 4): `out[..., S*m, S*n, :] = x[..., m, n, :]`, zeros elsewhere.

  Args:
    x: `[..., H, W, C]`.
    stride: S >= 1.

  Returns:
    `[..., S*H, S*W, C]`, same dtype.

  Example:
    >>> zero_upsample(jnp.ones((1, 2, 2, 1)), 2)[0, :, :, 0]
    Array([[1., 0., 1., 0.], [0., 0., 0., 0.], [1., 0., 1., 0.], [0., 0., 0., 0.]], dtype=float32)
  """
  s = check_stride(stride)
  check_rank(x, 3, "x", "[..., H, W, C]")
  return batched(lambda a: _zero_upsample_one(a, s), (x,))


def bilinear_phase_taps(s: int) -> list[tuple[int, float]]:
  """For each phase r in [0, S): (offset, frac) with out[S*m + r] =
  (1 - frac) * x[m + offset] + frac * x[m + offset + 1], edges clamped.

  Half-pixel centres: output r of pixel m samples input coordinate
  m + (r + 0.5) / S - 0.5, as `jax.image.resize(..., 'bilinear')` and PyTorch's
  `align_corners=False`.
  """
  taps = []
  for r in range(s):
    coord = (r + 0.5) / s - 0.5
    offset = int(np.floor(coord))
    taps.append((offset, coord - offset))
  return taps


def _shift_clamped(x, offset: int, axis: int):
  """`x[m + offset]` along `axis`, indices clamped to the edge (|offset| <= 1).

  Written with slices and concatenation (no index arrays), so it also works
  with symbolic sizes under `jax.export`.
  """
  if offset == 0:
    return x
  n = x.shape[axis]
  take = lambda start, stop: jax.lax.slice_in_dim(x, start, stop, axis=axis)
  if offset == 1:
    return jnp.concatenate([take(1, n), take(n - 1, n)], axis=axis)
  if offset == -1:
    return jnp.concatenate([take(0, 1), take(0, n - 1)], axis=axis)
  raise ValueError(f"offset must be -1, 0 or 1, got {offset}.")


def bilinear_phases_1d(x, s: int, axis: int):
  """Bilinear upsampling along `axis`, phases as a new axis right after it."""
  phases = []
  for offset, frac in bilinear_phase_taps(s):
    a = _shift_clamped(x, offset, axis)
    if frac == 0.0:
      phases.append(a)
    else:
      b = _shift_clamped(x, offset + 1, axis)
      phases.append(a * jnp.asarray(1.0 - frac, x.dtype) +
                    b * jnp.asarray(frac, x.dtype))
  return jnp.stack(phases, axis=axis + 1)


def _bilinear_one(x, s: int):
  h, w, c = x.shape
  y = bilinear_phases_1d(x, s, 0)            # [H, S, W, C]
  y = bilinear_phases_1d(y, s, 2)            # [H, S, W, S, C]
  return y.reshape(h * s, w * s, c)          # interleave: row S*m + r


@functools.partial(jax.jit, static_argnames=("stride",))
def bilinear_upsample(x: jax.Array, stride: int) -> jax.Array:
  """Bilinear upsampling by S with half-pixel centres (Eq. 10).

  Equal to `jax.image.resize(x, (..., S*H, S*W, C), 'bilinear')` and to
  PyTorch `interpolate(..., mode='bilinear', align_corners=False)`: two taps per
  output, edges clamped. Computed with S phases of shifted adds, no resize
  matrices.

  Args:
    x: `[..., H, W, C]`.
    stride: S >= 1.

  Returns:
    `[..., S*H, S*W, C]`.

  Example:
    >>> bilinear_upsample(jnp.array([0.0, 4.0]).reshape(1, 2, 1), 2)[0, :, 0]
    Array([0., 1., 3., 4.], dtype=float32)
  """
  s = check_stride(stride)
  check_rank(x, 3, "x", "[..., H, W, C]")
  return batched(lambda a: _bilinear_one(a, s), (x,))
