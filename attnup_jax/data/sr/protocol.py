"""The SR degradation protocol of SPEC Sec. 3, on 8-bit images (NumPy).

HR is mod-cropped to a multiple of the scale; LR = MATLAB bicubic downscaling of
HR by 1/scale, quantised to 8 bits as a saved image would be; the bicubic
baseline = MATLAB bicubic upscaling of that 8-bit LR by `scale`, quantised again.

Each resize runs in float64 and is quantised once at the end, as the MATLAB data
scripts `imwrite(imresize(im2double(hr), 1/s, 'bicubic'), ...)` do. (MATLAB's
`imresize` on a uint8 array instead rounds after each of its two passes; that
reads ~0.01 dB lower on Set5/Set14 x2 and is available as `imresize(uint8)`.)
"""

from __future__ import annotations

import operator

import numpy as np

from attnup_jax.data.sr.imresize import imresize


def check_scale(scale) -> int:
  """`scale` as a positive int, else ValueError."""
  try:
    s = operator.index(scale)
  except TypeError:
    raise ValueError(f"`scale` must be a positive integer, got {scale!r}.") from None
  if s < 1:
    raise ValueError(f"`scale` must be a positive integer, got {s}.")
  return s


def modcrop(image: np.ndarray, scale: int) -> np.ndarray:
  """Crops `[H, W, ...]` to `[H - H % scale, W - W % scale, ...]` (top-left kept)."""
  s = check_scale(scale)
  h, w = image.shape[:2]
  if h < s or w < s:
    raise ValueError(f"image of shape {image.shape} is smaller than scale {s}.")
  return image[:h - h % s, :w - w % s]


def quantise_uint8(image: np.ndarray) -> np.ndarray:
  """float in [0, 1] -> uint8 `round(255 x)` clipped (half away from zero, as
  MATLAB's `uint8(255 * x)` and saving a PNG); uint8 passes through."""
  image = np.asarray(image)
  if image.dtype == np.uint8:
    return image
  if not np.issubdtype(image.dtype, np.floating):
    raise ValueError(f"expected uint8 or float in [0, 1], got dtype {image.dtype}.")
  return np.clip(np.floor(image.astype(np.float64) * 255.0 + 0.5), 0, 255).astype(np.uint8)


def downscale_uint8(hr: np.ndarray, scale: int) -> np.ndarray:
  """LR of a mod-cropped uint8 HR `[s*h, s*w, C]` -> uint8 `[h, w, C]`.

  `uint8(255 * imresize(im2double(hr), 1/scale, 'bicubic'))` in MATLAB: float64
  resize, output size pinned to exactly H/s, W/s, one rounding at the end.
  """
  s = check_scale(scale)
  hr = np.asarray(hr)
  h, w = hr.shape[:2]
  if hr.dtype != np.uint8 or h % s or w % s:
    raise ValueError(f"`hr` must be uint8 and mod-cropped to scale {s}; got "
                     f"{hr.dtype} {hr.shape} (use modcrop).")
  if s == 1:
    return hr.copy()
  lr = imresize(hr.astype(np.float64) / 255.0, 1.0 / s, output_shape=(h // s, w // s))
  return quantise_uint8(lr)


def upscale_uint8(lr: np.ndarray, scale: int) -> np.ndarray:
  """Bicubic baseline: uint8 `[h, w, C]` -> uint8 `[s*h, s*w, C]`.

  MATLAB `imresize` by `scale` in float64, rounded once to 8 bits.
  """
  s = check_scale(scale)
  lr = np.asarray(lr)
  if lr.dtype != np.uint8:
    raise ValueError(f"`lr` must be uint8 (quantise first), got {lr.dtype}.")
  if s == 1:
    return lr.copy()
  return quantise_uint8(imresize(lr.astype(np.float64) / 255.0, s))
