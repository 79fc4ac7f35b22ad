"""Low-resolution depth from high-resolution depth (paper Sec. IV-A-2).

Per image, numpy, spatial axes first: `hr` is `[H, W]` or `[H, W, C]`.

- `lr_by_grid` (the paper's protocol, after DJF): keep every M-th pixel,
  `lr[m, n] = hr[M*m, M*n]`. No filtering; a hole (0) stays a hole.
- `lr_by_bicubic` (option, as DKN/FDKN's released code): antialiased bicubic
  downscaling, PIL `Image.resize(BICUBIC)` on float32 (Keys cubic a = -0.5,
  kernel widened by M, the MATLAB `imresize` convention). Holes bleed into their
  neighbours, so prefer 'grid' on data with holes.

Both need `H` and `W` divisible by M (`mod_crop` first), M a power of two.
"""

from __future__ import annotations


import numpy as np
from PIL import Image

from attnup_jax.ops._checks import check_power_of_two


def check_factor(factor) -> int:
  """Returns the upsampling factor M as an int; ValueError unless a power of two >= 2."""
  return check_power_of_two(factor, "factor")


def mod_crop(x: np.ndarray, factor: int) -> np.ndarray:
  """`x[:H - H % M, :W - W % M]`: the top-left crop with sides divisible by M.

  As MATLAB `modcrop`, so pixel (0, 0) stays and the grid `hr[::M, ::M]` of the
  crop is the grid of the full image.
  """
  m = check_factor(factor)
  h, w = x.shape[:2]
  return x[:h - h % m, :w - w % m]


def _check_divisible(hr, m: int) -> None:
  h, w = hr.shape[:2]
  if h % m or w % m:
    raise ValueError(f"HR size {h}x{w} is not divisible by factor={m}; "
                     f"mod_crop(hr, {m}) first.")


def lr_by_grid(hr: np.ndarray, factor: int) -> np.ndarray:
  """`hr[::M, ::M]`: `[H, W(, C)]` -> `[H/M, W/M(, C)]`, same dtype."""
  m = check_factor(factor)
  _check_divisible(hr, m)
  return hr[::m, ::m]


def lr_by_bicubic(hr: np.ndarray, factor: int) -> np.ndarray:
  """Antialiased bicubic downscaling: `[H, W(, C)]` -> float32 `[H/M, W/M(, C)]`.

  Pixel centres are half-pixel aligned (LR pixel m covers HR pixels
  M*m .. M*m + M - 1), unlike `lr_by_grid` whose sample m sits on HR pixel M*m.
  """
  m = check_factor(factor)
  _check_divisible(hr, m)
  h, w = hr.shape[:2]
  x = np.asarray(hr, np.float32)
  planes = x[..., None] if x.ndim == 2 else x
  out = np.stack([
      np.asarray(Image.fromarray(np.ascontiguousarray(planes[..., c]), "F")
                 .resize((w // m, h // m), Image.BICUBIC), np.float32)
      for c in range(planes.shape[-1])], axis=-1)
  return out[..., 0] if x.ndim == 2 else out


def degrade_depth(hr: np.ndarray, factor: int, method: str = "grid") -> np.ndarray:
  """`lr_by_grid` or `lr_by_bicubic` by name ('grid' | 'bicubic')."""
  if method == "grid":
    return lr_by_grid(hr, factor)
  if method == "bicubic":
    return lr_by_bicubic(hr, factor)
  raise ValueError(f"degradation must be 'grid' or 'bicubic', got {method!r}.")
