"""MATLAB-compatible bicubic `imresize` in NumPy (the standard of SR benchmarks).

Reproduces MATLAB's `imresize(x, scale_or_size, 'bicubic')` (antialiasing on):
- cubic kernel with a = -0.5 (Keys), support 4;
- when downscaling (scale < 1) the kernel is stretched by 1/scale and scaled by
  `scale` (antialiasing), so its support becomes 4/scale input pixels;
- output pixel x (1-based) samples input coordinate u = x/scale + (1 - 1/scale)/2,
  taps left = floor(u - width/2) + [0, ceil(width) + 2), weights normalised to sum 1;
- taps outside the image are mirrored *symmetrically* (edge pixel repeated:
  indices 1..n, n..1, ...);
- dimensions are resized one after the other, the one with the smaller scale
  first (rows first on ties), as MATLAB does;
- output size for a scale factor is `ceil(scale * size)` and the weights use the
  given scale; for an output size, scale = out / in per dimension;
- uint8 input gives uint8 output, rounded (half away from zero) and clipped after
  *each* dimension, as MATLAB's `imresizemex` returns the input class per pass.
  Float input is computed in float64 and returned as float64, never clipped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

KERNEL_WIDTH = 4.0


def cubic(x: np.ndarray) -> np.ndarray:
  """Keys cubic kernel with a = -0.5 (MATLAB's `cubic`), float64, support [-2, 2]."""
  ax = np.abs(np.asarray(x, np.float64))
  ax2, ax3 = ax * ax, ax * ax * ax
  near = (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1)
  far = (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * ((ax > 1) & (ax <= 2))
  return near + far


def contributions(in_size: int, out_size: int, scale: float
                  ) -> tuple[np.ndarray, np.ndarray]:
  """MATLAB's `contributions`: float64 weights and 0-based int64 input indices,
  both `[out_size, taps]`; output x = sum_t weights[x, t] * input[indices[x, t]].

  Rows sum to 1; taps beyond the border index their symmetric mirror.
  """
  if in_size < 1 or out_size < 1:
    raise ValueError(f"sizes must be positive, got in={in_size}, out={out_size}.")
  width = KERNEL_WIDTH / scale if scale < 1 else KERNEL_WIDTH
  x = np.arange(1, out_size + 1, dtype=np.float64)
  u = x / scale + 0.5 * (1.0 - 1.0 / scale)
  left = np.floor(u - width / 2.0)
  taps = int(math.ceil(width)) + 2
  idx = left[:, None] + np.arange(taps)[None, :]  # [out, taps], 1-based
  dist = u[:, None] - idx
  weights = scale * cubic(scale * dist) if scale < 1 else cubic(dist)
  weights /= weights.sum(axis=1, keepdims=True)
  mirror = np.concatenate([np.arange(in_size), np.arange(in_size - 1, -1, -1)])
  return weights, mirror[np.mod(idx.astype(np.int64) - 1, 2 * in_size)]


def resize_matrix(in_size: int, out_size: int, scale: float) -> np.ndarray:
  """The `[out_size, in_size]` float64 matrix of one MATLAB bicubic resize pass.

  Row x holds the normalised weights of output pixel x; taps beyond the border
  are folded back onto their symmetric mirror (so a row may hit a pixel twice).
  """
  weights, cols = contributions(in_size, out_size, scale)
  mat = np.zeros((out_size, in_size), np.float64)
  rows = np.broadcast_to(np.arange(out_size)[:, None], cols.shape)
  np.add.at(mat, (rows, cols), weights)
  return mat


def _resize_axis0(x: np.ndarray, weights: np.ndarray, indices: np.ndarray) -> np.ndarray:
  """`[in, ...]` -> `[out, ...]`: gather the taps and sum them, as `imresizemex`."""
  shape = (-1,) + (1,) * (x.ndim - 1)
  out = weights[:, 0].reshape(shape) * x[indices[:, 0]]
  for t in range(1, weights.shape[1]):
    out += weights[:, t].reshape(shape) * x[indices[:, t]]
  return out


def _scales_and_size(shape, scale, output_shape):
  h, w = shape
  if scale is None and output_shape is None:
    raise ValueError("give `scale`, `output_shape`, or both.")
  if output_shape is not None:
    oh, ow = (int(v) for v in output_shape)
    if oh < 1 or ow < 1:
      raise ValueError(f"`output_shape` must be positive, got {output_shape!r}.")
  if scale is None:
    return (oh / h, ow / w), (oh, ow)
  sy, sx = (scale, scale) if np.isscalar(scale) else tuple(scale)
  if sy <= 0 or sx <= 0:
    raise ValueError(f"`scale` must be positive, got {scale!r}.")
  if output_shape is None:
    # MATLAB: outputSize = ceil(scale .* inputSize), same float64 arithmetic.
    oh, ow = int(math.ceil(sy * h)), int(math.ceil(sx * w))
  return (float(sy), float(sx)), (oh, ow)


def _quantise_uint8(x: np.ndarray) -> np.ndarray:
  # MATLAB's double -> uint8: round half away from zero, saturate.
  return np.clip(np.floor(x + 0.5), 0, 255).astype(np.uint8)


def imresize(image: np.ndarray, scale: float | Sequence[float] | None = None,
             output_shape: Sequence[int] | None = None) -> np.ndarray:
  """MATLAB `imresize(image, scale | [h w], 'bicubic')`, antialiased.

  Args:
    image: `[H, W]` or `[H, W, C]`, uint8 or float.
    scale: a factor (e.g. 0.5, 0.25, 0.9, 2, 4) or a (row, col) pair.
    output_shape: `(out_h, out_w)`. Alone, the scale is out/in per dimension
      (MATLAB's `imresize(x, [h w])`); with `scale`, it only fixes the size
      (e.g. exactly H/3 for scale 1/3, where ceil(H * (1/3)) can round up).

  Returns:
    `[out_h, out_w]` or `[out_h, out_w, C]`; uint8 for uint8 input (rounded and
    clipped after each pass, as MATLAB), else float64.
  """
  image = np.asarray(image)
  if image.ndim not in (2, 3):
    raise ValueError(f"`image` must be [H, W] or [H, W, C], got shape {image.shape}.")
  is_uint8 = image.dtype == np.uint8
  (sy, sx), (oh, ow) = _scales_and_size(image.shape[:2], scale, output_shape)
  out = image.astype(np.float64)
  # MATLAB resizes the dimension with the smaller scale first (stable: rows on ties).
  order = (0, 1) if sy <= sx else (1, 0)
  for dim in order:
    in_size, out_size, s = ((image.shape[0], oh, sy) if dim == 0
                            else (image.shape[1], ow, sx))
    if in_size == out_size and s == 1.0:
      continue
    weights, indices = contributions(in_size, out_size, s)
    out = np.moveaxis(_resize_axis0(np.moveaxis(out, dim, 0), weights, indices), 0, dim)
    if is_uint8:
      out = _quantise_uint8(out).astype(np.float64)
  return out.astype(np.uint8) if is_uint8 else out
