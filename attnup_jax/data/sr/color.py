"""ITU-R BT.601 colour conversion as MATLAB's `rgb2ycbcr` / `ycbcr2rgb` (NumPy).

Scale conventions (as MATLAB):
- float input in [0, 1] -> float64 output on the same [0, 1] scale, i.e. the
  digital values divided by 255: Y in [16/255, 235/255], Cb, Cr in [16/255, 240/255].
  Y = (16 + 65.481 R + 128.553 G + 24.966 B) / 255 for R, G, B in [0, 1].
- uint8 input in [0, 255] -> uint8 output in [0, 255] (Y in [16, 235]), rounded
  half away from zero, as MATLAB returns for uint8 images.
"""

from __future__ import annotations

import numpy as np

# Rows: Y, Cb, Cr; columns: R, G, B in [0, 1]; result in [0, 255].
_RGB_TO_YCBCR = np.array([
    [65.481, 128.553, 24.966],
    [-37.797, -74.203, 112.0],
    [112.0, -93.786, -18.214],
])
_OFFSET = np.array([16.0, 128.0, 128.0])
_YCBCR_TO_RGB = np.linalg.inv(_RGB_TO_YCBCR)


def _round_uint8(x: np.ndarray) -> np.ndarray:
  return np.clip(np.floor(x + 0.5), 0, 255).astype(np.uint8)


def _check_rgb(image: np.ndarray, name: str) -> np.ndarray:
  image = np.asarray(image)
  if image.ndim < 1 or image.shape[-1] != 3:
    raise ValueError(f"`{name}` must be [..., 3], got shape {image.shape}.")
  return image


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
  """RGB `[..., 3]` -> YCbCr `[..., 3]` (BT.601, MATLAB `rgb2ycbcr`).

  uint8 in -> uint8 out (0..255); float in [0, 1] -> float64 in [0, 1] (/255 scale).
  """
  rgb = _check_rgb(rgb, "rgb")
  is_uint8 = rgb.dtype == np.uint8
  x = rgb.astype(np.float64) / (255.0 if is_uint8 else 1.0)
  ycc = x @ _RGB_TO_YCBCR.T + _OFFSET  # on [0, 255]
  return _round_uint8(ycc) if is_uint8 else ycc / 255.0


def ycbcr_to_rgb(ycbcr: np.ndarray) -> np.ndarray:
  """YCbCr `[..., 3]` -> RGB `[..., 3]`, the exact inverse of `rgb_to_ycbcr`.

  uint8 in -> uint8 out (rounded, clipped); float (/255 scale) in -> float64 RGB
  in [0, 1], not clipped.
  """
  ycbcr = _check_rgb(ycbcr, "ycbcr")
  is_uint8 = ycbcr.dtype == np.uint8
  x = ycbcr.astype(np.float64) * (1.0 if is_uint8 else 255.0)
  rgb = (x - _OFFSET) @ _YCBCR_TO_RGB.T  # on [0, 1]
  return _round_uint8(rgb * 255.0) if is_uint8 else rgb


def rgb_to_y(rgb: np.ndarray) -> np.ndarray:
  """The Y channel of `rgb_to_ycbcr`: `[..., 3]` -> `[...]`, same dtype rules."""
  rgb = _check_rgb(rgb, "rgb")
  is_uint8 = rgb.dtype == np.uint8
  x = rgb.astype(np.float64) / (255.0 if is_uint8 else 1.0)
  y = x @ _RGB_TO_YCBCR[0] + _OFFSET[0]
  return _round_uint8(y) if is_uint8 else y / 255.0


def evaluation_channel(image: np.ndarray) -> np.ndarray:
  """The channel SR metrics compare, as MATLAB evaluation code does.

  Args:
    image: uint8 `[H, W, 3]` (RGB), `[H, W, 1]` or `[H, W]` (greyscale).

  Returns:
    uint8 `[H, W]`: the 8-bit rounded Y of an RGB image, or the grey values
    themselves for a greyscale one (no Y conversion, e.g. Set14 `bridge`).
  """
  image = np.asarray(image)
  if image.dtype != np.uint8:
    raise ValueError(f"`image` must be uint8 (quantise first), got {image.dtype}.")
  if image.ndim == 2:
    return image
  if image.ndim == 3 and image.shape[-1] == 1:
    return image[..., 0]
  if image.ndim == 3 and image.shape[-1] == 3:
    return rgb_to_y(image)
  raise ValueError(f"`image` must be [H, W], [H, W, 1] or [H, W, 3], got {image.shape}.")
