"""Image files to numpy arrays (PIL), with the dtype checked, never converted silently."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image


def read_rgb(path: str | os.PathLike) -> np.ndarray:
  """An 8-bit colour image as `[H, W, 3]` uint8 (greyscale/RGBA made RGB)."""
  with Image.open(path) as im:
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def read_depth_png(path: str | os.PathLike, dtype) -> np.ndarray:
  """A single-channel PNG as `[H, W]` of `dtype` (uint8 or uint16), unchanged.

  Raises ValueError when the file's bit depth differs from `dtype`, so a
  16-bit depth map is never read as 8 bits (or the reverse).
  """
  with Image.open(path) as im:
    a = np.asarray(im)
  if a.ndim != 2:
    raise ValueError(f"{str(path)!r}: expected a single-channel depth map, got "
                     f"shape {a.shape} (mode {im.mode}).")
  dtype = np.dtype(dtype)
  if a.dtype == np.int32 and dtype == np.uint16 and a.max(initial=0) < 2**16:
    a = a.astype(np.uint16)      # some PIL versions open 'I;16' PNGs as int32
  if a.dtype != dtype:
    raise ValueError(f"{str(path)!r}: expected {dtype} depth, got {a.dtype} "
                     f"(mode {im.mode}).")
  return a
