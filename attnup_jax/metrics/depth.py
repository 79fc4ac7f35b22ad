"""Depth upsampling metrics (paper Sec. IV-A, Table II): pure functions.

RMSE follows DKN/FDKN: on the HR grid, after cropping `border` = 6 pixels from
every side, over valid pixels only (holes, where the ground truth is 0, are
excluded, never averaged in as zeros), one RMSE per image, then the mean over
the images of the test set. Reported in centimetres for metric depth (metres x
100, millimetres / 10) and on the 0-255 scale for 8-bit maps (Lu, Middlebury).

The bicubic baseline is `attnup_jax.ops.bicubic_upsample` (also importable
here as `bicubic_upsample_depth`); the test-set loop is
`attnup_jax.evaluation.depth`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from attnup_jax.ops import bicubic_upsample as bicubic_upsample_depth  # noqa: F401

_TO_CM = {"m": 100.0, "mm": 0.1}


def _as_nhwc(x):
  x = jnp.asarray(x)
  return x[..., None] if x.ndim == 2 else x


def rmse(pred, gt, valid=None, border: int = 6) -> jax.Array:
  """Root-mean-square error per image over valid, non-border pixels.

  Args:
    pred: `[..., H, W, C]` (or `[H, W]`), any real dtype, same units as gt.
    gt: same shape as pred.
    valid: bool mask of the same shape; default `gt > 0` (0 = hole).
    border: pixels dropped from each of the four sides before averaging.

  Returns:
    float32 `[...]` (a scalar for one image), in the units of the inputs;
    NaN for an image with no valid pixel left.
  """
  pred, gt = _as_nhwc(pred), _as_nhwc(gt)
  if pred.shape != gt.shape or pred.ndim < 3:
    raise ValueError(f"pred {pred.shape} and gt {gt.shape} must have the same "
                     f"shape [..., H, W, C].")
  valid = gt > 0 if valid is None else _as_nhwc(valid).astype(bool)
  if valid.shape != gt.shape:
    raise ValueError(f"valid {valid.shape} must match gt {gt.shape}.")
  h, w = gt.shape[-3:-1]
  b = int(border)
  if b < 0 or 2 * b >= min(h, w):
    raise ValueError(f"border={border} leaves nothing of a {h}x{w} image.")
  crop = lambda a: a[..., b:h - b, b:w - b, :]
  err = crop(pred).astype(jnp.float32) - crop(gt).astype(jnp.float32)
  v = crop(valid)
  sq = jnp.where(v, err * err, jnp.float32(0)).sum(axis=(-3, -2, -1))
  n = v.sum(axis=(-3, -2, -1)).astype(jnp.float32)
  return jnp.sqrt(sq / n)          # n == 0 -> 0/0 = NaN, on purpose


def to_centimetres(depth, units: str):
  """Metric depth in 'm' (x100) or 'mm' (/10) -> centimetres, float32."""
  if units not in _TO_CM:
    raise ValueError(f"units must be 'm' or 'mm' for centimetres, got {units!r}.")
  return jnp.asarray(depth, jnp.float32) * jnp.float32(_TO_CM[units])


def rmse_cm(pred, gt, units: str, valid=None, border: int = 6) -> jax.Array:
  """`rmse` in centimetres for metric depth given in `units` ('m' | 'mm')."""
  return rmse(to_centimetres(pred, units), to_centimetres(gt, units),
              valid=valid if valid is not None else jnp.asarray(gt) > 0,
              border=border)


def to_levels(x, scale: float = 255.0):
  """Normalised 8-bit depth (`level / 255`) -> 0-255 scale, float32, unrounded."""
  return jnp.asarray(x, jnp.float32) * jnp.float32(scale)


def rmse_levels(pred, gt, valid=None, border: int = 6,
                normalised: bool = False) -> jax.Array:
  """`rmse` on the 0-255 scale of 8-bit depth (Lu, Middlebury, RGBZ).

  With `normalised=True` both maps are in [0, 1] (level / 255) and are scaled
  by 255 first; holes are gt == 0 either way.
  """
  if normalised:
    pred, gt = to_levels(pred), to_levels(gt)
  return rmse(pred, gt, valid=valid, border=border)
