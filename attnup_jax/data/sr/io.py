"""Reading SR benchmark images from disk (PIL), greyscale-aware.

Greyscale files (PIL modes `1`, `L`, `LA`, `I`, `I;16`, grey palettes are treated
as colour) keep one channel in `load_image_uint8` so metrics can compare grey
values directly, as MATLAB evaluation code does for Set14 `bridge`.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np
from PIL import Image

IMAGE_EXTENSIONS = (".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff")
_GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")


def list_images(directory: str | os.PathLike) -> list[pathlib.Path]:
  """Image files (by extension, case-insensitive) in `directory`, sorted by name."""
  directory = pathlib.Path(directory)
  if not directory.is_dir():
    raise FileNotFoundError(f"image directory {str(directory)!r} does not exist.")
  return sorted(p for p in directory.iterdir()
                if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def _read(path: pathlib.Path) -> tuple[np.ndarray, float]:
  """Pixels `[H, W]` or `[H, W, 3]` with their full-scale value (1, 255 or 65535)."""
  try:
    with Image.open(path) as im:
      im.load()
      mode = im.mode
      if mode == "P":
        # Palette: expand through the palette (RGBA when it has transparency).
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
      if mode in ("LA",):
        im, mode = im.getchannel(0), "L"
      if mode not in _GREY_MODES and mode not in ("RGB", "RGBA"):
        im, mode = im.convert("RGB"), "RGB"  # CMYK, YCbCr, ...
      arr = np.asarray(im)
  except (OSError, SyntaxError, ValueError) as e:  # PIL's errors for bad files
    raise ValueError(f"cannot read image {str(path)!r}: {e}") from e
  if mode == "RGBA":
    arr = arr[..., :3]  # drop alpha
  if mode == "1":
    return arr.astype(np.uint8), 1.0
  if mode == "F":
    return arr.astype(np.float64), 1.0
  if arr.dtype == np.uint8:
    return arr, 255.0
  # 16-bit PNG: PIL gives uint16 (I;16) or int32 (I).
  return arr.astype(np.int64), 65535.0


def load_image(path: str | os.PathLike, keep_grey: bool = False) -> np.ndarray:
  """Reads an image as float32 in [0, 1].

  Args:
    path: image file.
    keep_grey: keep greyscale images single-channel.

  Returns:
    float32 `[H, W, 3]` (greyscale replicated to 3 channels, alpha dropped,
    palettes expanded, 16-bit scaled by 1/65535), or `[H, W, 1]` for greyscale
    when `keep_grey`.

  Raises:
    ValueError naming the path when the file is corrupt or unreadable.
  """
  path = pathlib.Path(path)
  arr, full = _read(path)
  img = (arr.astype(np.float64) / full).astype(np.float32)
  if img.ndim == 2:
    img = img[..., None] if keep_grey else np.repeat(img[..., None], 3, axis=-1)
  return img


def load_image_uint8(path: str | os.PathLike) -> np.ndarray:
  """Reads an image as uint8, keeping greyscale single-channel.

  Returns:
    uint8 `[H, W, 3]` for colour, `[H, W, 1]` for greyscale; 16-bit images are
    rounded to 8 bits (`round(x * 255 / 65535)`).
  """
  path = pathlib.Path(path)
  arr, full = _read(path)
  if full != 255.0 or arr.dtype != np.uint8:
    arr = np.clip(np.floor(arr.astype(np.float64) * (255.0 / full) + 0.5), 0, 255)
    arr = arr.astype(np.uint8)
  return arr[..., None] if arr.ndim == 2 else arr
