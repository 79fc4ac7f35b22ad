"""Offline-style SR training patches: augmentation, LR synthesis, strided crops.

Pure NumPy. The paper's augmentation (Sec. IV-B-2) is enumerated
deterministically: every HR image at factors 1.0, 0.9, 0.8, 0.7, 0.6 (MATLAB
bicubic, quantised to 8 bits as saved augmented images would be), each at
rotations 0, 90, 180, 270 degrees: 20 variants per image.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from attnup_jax.data.sr import color, protocol
from attnup_jax.data.sr.imresize import imresize

AUG_FACTORS = (1.0, 0.9, 0.8, 0.7, 0.6)
AUG_ROTATIONS = (0, 1, 2, 3)  # multiples of 90 degrees, counter-clockwise


def augmented_images(hr: np.ndarray, augment: bool = True) -> Iterable[np.ndarray]:
  """The downscaled variants of one uint8 HR image `[H, W, C]` (factor 1.0 first).

  Rotations are applied later, to the mod-cropped (HR, LR) pair: the symmetric
  bicubic kernel and boundary make LR synthesis commute with rot90 (up to
  float64 rounding), so each variant is downscaled once, not four times.
  """
  for f in (AUG_FACTORS if augment else (1.0,)):
    if f == 1.0:
      yield hr
    else:
      yield protocol.quantise_uint8(imresize(hr.astype(np.float64) / 255.0, f))


def _windows(img: np.ndarray, size: int, stride: int) -> np.ndarray:
  """`[H, W]` -> `[N, size, size]`: all windows at a stride, row-major."""
  h, w = img.shape
  if h < size or w < size:
    return np.zeros((0, size, size), img.dtype)
  win = np.lib.stride_tricks.sliding_window_view(img, (size, size))
  return win[::stride, ::stride].reshape(-1, size, size)


def pair_patches(hr_y: np.ndarray, lr_y: np.ndarray, scale: int, patch_size: int,
                 stride: int) -> tuple[np.ndarray, np.ndarray]:
  """Aligned patch pairs from one (HR, LR) pair of channels.

  Args:
    hr_y: `[s*h, s*w]` HR channel (any dtype).
    lr_y: `[h, w]` LR channel.
    scale: s.
    patch_size: LR patch side p.
    stride: LR stride between patch corners.

  Returns:
    `lr [N, p, p]` and `hr [N, s*p, s*p]`: LR window at (i, j) pairs with the
    HR window at (s*i, s*j).
  """
  lr = _windows(lr_y, patch_size, stride)
  hr = _windows(hr_y, scale * patch_size, scale * stride)
  if len(lr) != len(hr):  # cannot happen for an exact s-times HR; guard anyway
    raise ValueError(f"HR {hr_y.shape} is not {scale}x LR {lr_y.shape}.")
  return lr, hr


def build_patches(images: Sequence[np.ndarray], scale: int, patch_size: int,
                  stride: int, augment: bool = True) -> tuple[np.ndarray, np.ndarray]:
  """All training patch pairs of a set of HR images, on the evaluation channel.

  For every image and augmentation variant: mod-crop to `scale`, LR = MATLAB
  bicubic downscaling quantised to 8 bits (`protocol.downscale_uint8`), take
  the 8-bit Y (grey for greyscale images) of both, rotate, crop patches.

  Args:
    images: uint8 HR images `[H, W, 3]` or `[H, W, 1]`.
    scale: SR factor s.
    patch_size: LR patch side p (HR side s*p).
    stride: LR stride (HR stride s*stride).
    augment: the 5 factors x 4 rotations of the paper, else the images as-is.

  Returns:
    uint8 `lr [N, p, p, 1]`, `hr [N, s*p, s*p, 1]` (divide by 255 for [0, 1]).
  """
  s = protocol.check_scale(scale)
  if patch_size < 1 or stride < 1:
    raise ValueError(f"patch_size and stride must be >= 1, got {patch_size}, {stride}.")
  lrs, hrs = [], []
  for image in images:
    for hr in augmented_images(image, augment):
      if min(hr.shape[:2]) < s * patch_size:
        continue
      hr = protocol.modcrop(hr, s)
      hr_y = color.evaluation_channel(hr)
      lr_y = color.evaluation_channel(protocol.downscale_uint8(hr, s))
      for k in (AUG_ROTATIONS if augment else (0,)):
        lr, hi = pair_patches(np.rot90(hr_y, k), np.rot90(lr_y, k), s, patch_size, stride)
        lrs.append(lr)
        hrs.append(hi)
  if not lrs or sum(map(len, lrs)) == 0:
    raise ValueError(f"no {patch_size}x{patch_size} LR patches fit the images at scale {s}.")
  return np.concatenate(lrs)[..., None], np.concatenate(hrs)[..., None]
