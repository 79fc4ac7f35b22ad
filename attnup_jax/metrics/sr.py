"""PSNR and SSIM on Y for super-resolution, following SPEC Sec. 3 (NumPy).

Protocol: the HR image is mod-cropped to a multiple of `scale`; both images are
quantised to 8 bits (as saved images would be); the compared channel is the
8-bit rounded BT.601 Y of an RGB image, or the grey values of a greyscale one;
`scale` pixels are cropped from every border; PSNR uses peak 255. SSIM is Wang
et al.'s: 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255,
population (co)variances, 'valid' filtering, mean over the map (MATLAB
`ssim_index`; skimage `structural_similarity(gaussian_weights=True,
use_sample_covariance=False, data_range=255)`).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from attnup_jax.data.sr import color, protocol


def _compared_channels(hr, sr, scale: int) -> tuple[np.ndarray, np.ndarray]:
  """Mod-crop, quantise, take Y / grey, shave `scale` pixels: two float64 `[h, w]`."""
  s = protocol.check_scale(scale)
  hr = protocol.modcrop(protocol.quantise_uint8(np.asarray(hr)), s)
  sr = protocol.quantise_uint8(np.asarray(sr))
  if sr.shape != hr.shape:
    raise ValueError(f"`sr` shape {sr.shape} must equal the mod-cropped `hr` shape "
                     f"{hr.shape} (scale {s}).")
  a = color.evaluation_channel(hr).astype(np.float64)
  b = color.evaluation_channel(sr).astype(np.float64)
  if a.shape[0] <= 2 * s or a.shape[1] <= 2 * s:
    raise ValueError(f"image {hr.shape} too small to shave {s} pixels per border.")
  return a[s:-s, s:-s], b[s:-s, s:-s]


def psnr_y(hr: np.ndarray, sr: np.ndarray, scale: int) -> float:
  """PSNR (dB) on Y between a ground truth and a super-resolved image.

  Args:
    hr: ground truth, uint8 or float in [0, 1], `[H, W, 3]` RGB or `[H, W, 1]` /
      `[H, W]` greyscale; mod-cropped here if needed.
    sr: the estimate, same layout, shape of the mod-cropped `hr`.
    scale: SR factor: the mod-crop multiple and the border shaved.

  Returns:
    `10 log10(255^2 / MSE)` as a Python float (inf when identical).
  """
  a, b = _compared_channels(hr, sr, scale)
  mse = np.mean((a - b) ** 2)
  return float("inf") if mse == 0 else float(10.0 * np.log10(255.0**2 / mse))


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> np.ndarray:
  x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
  g = np.exp(-(x * x) / (2.0 * sigma * sigma))
  return g / g.sum()  # separable: the 2-D window is outer(g, g), sum 1


def _filter_valid(x: np.ndarray, g: np.ndarray) -> np.ndarray:
  r = (len(g) - 1) // 2
  y = ndimage.correlate1d(x, g, axis=0, mode="reflect")
  y = ndimage.correlate1d(y, g, axis=1, mode="reflect")
  return y[r:-r, r:-r]  # the borders that touched padding are dropped: 'valid'


def ssim(a: np.ndarray, b: np.ndarray, data_range: float = 255.0) -> float:
  """Mean SSIM of two float `[H, W]` images (Gaussian 11x11, sigma 1.5, 'valid')."""
  a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
  if a.shape != b.shape or a.ndim != 2 or min(a.shape) < 11:
    raise ValueError(f"need two equal [H, W] images of at least 11x11, got "
                     f"{a.shape} and {b.shape}.")
  g = _gaussian_window()
  c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
  mu_a, mu_b = _filter_valid(a, g), _filter_valid(b, g)
  var_a = _filter_valid(a * a, g) - mu_a * mu_a
  var_b = _filter_valid(b * b, g) - mu_b * mu_b
  cov = _filter_valid(a * b, g) - mu_a * mu_b
  num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
  den = (mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2)
  return float(np.mean(num / den))


def ssim_y(hr: np.ndarray, sr: np.ndarray, scale: int) -> float:
  """SSIM on Y with the same protocol and arguments as `psnr_y`."""
  a, b = _compared_channels(hr, sr, scale)
  return ssim(a, b)
