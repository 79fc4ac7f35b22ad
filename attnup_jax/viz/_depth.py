"""`colorize_depth`: a depth map as an RGB image, holes black."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps


def colorize_depth(depth, valid=None, vmin: float | None = None,
                   vmax: float | None = None, cmap: str = "turbo") -> np.ndarray:
  """Depth `[H, W]` (or `[H, W, 1]`) -> uint8 RGB `[H, W, 3]`.

  Depths are mapped linearly from [vmin, vmax] (default: the range of the
  valid pixels) onto the colormap and clipped outside it; near is the low end
  of the map (blue for turbo). Invalid pixels are black.

  Args:
    depth: any units (metres, millimetres, 8-bit).
    valid: boolean mask of measured pixels; default `isfinite(depth) & depth > 0`
      (zero is the hole value of NYU v2, RGB-D-D and Lu).
    vmin, vmax: the colour range, shared across images for a fair comparison.
    cmap: a matplotlib colormap name.

  Example:
    >>> d = np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)
    >>> colorize_depth(d)[0, 0].tolist()
    [0, 0, 0]
  """
  d = np.asarray(depth, np.float64)
  if d.ndim == 3 and d.shape[-1] == 1:
    d = d[..., 0]
  if d.ndim != 2:
    raise ValueError(f"`depth` must be [H, W] or [H, W, 1], got shape {d.shape}.")
  if valid is None:
    valid = np.isfinite(d) & (d > 0)
  else:
    valid = np.asarray(valid, bool).reshape(d.shape) & np.isfinite(d)
  if vmin is None or vmax is None:
    vals = d[valid]
    lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 1.0)
    vmin = lo if vmin is None else vmin
    vmax = hi if vmax is None else vmax
  t = np.clip((np.where(valid, d, vmin) - vmin) / max(vmax - vmin, 1e-12), 0.0, 1.0)
  lut = (colormaps[cmap].resampled(256)(np.arange(256))[:, :3] * 255).round()
  rgb = lut.astype(np.uint8)[np.round(t * 255).astype(np.int64)]
  rgb[~valid] = 0
  return rgb
