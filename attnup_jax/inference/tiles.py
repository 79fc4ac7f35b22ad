"""Tiled inference with bounded memory and the same output as one big call.

The image is cut into tiles of `tile x tile` input pixels, each read with a
`halo` of neighbouring pixels on every side (clipped at the image border) so
that every kept output pixel sees exactly the context it would see untiled;
only the tile's own region of the output is kept. With `halo` at least the
network's receptive-field radius (in input pixels) the result equals untiled
inference up to float rounding.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def _starts(n: int, tile: int) -> list[int]:
  return list(range(0, n, tile))


def run_tiled(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray, scale: int,
              tile: int | None = 128, halo: int = 16) -> np.ndarray:
  """`fn: [h, w, C] -> [scale*h, scale*w, D]` applied to `x [H, W, C]` in tiles.

  Args:
    fn: the model on one image.
    x: input `[H, W, C]`.
    scale: output pixels per input pixel.
    tile: input tile size; None runs the whole image at once.
    halo: input pixels of context read around each tile.

  Returns:
    `[scale*H, scale*W, D]`, float32.
  """
  h, w = x.shape[:2]
  if tile is None or (h <= tile and w <= tile):
    return np.asarray(fn(x), np.float32)
  if tile < 1 or halo < 0:
    raise ValueError(f"`tile` must be >= 1 and `halo` >= 0, got {tile}, {halo}.")
  out = None
  for y0 in _starts(h, tile):
    for x0 in _starts(w, tile):
      y1, x1 = min(y0 + tile, h), min(x0 + tile, w)
      ya, xa = max(y0 - halo, 0), max(x0 - halo, 0)
      yb, xb = min(y1 + halo, h), min(x1 + halo, w)
      y = np.asarray(fn(x[ya:yb, xa:xb]), np.float32)
      if out is None:
        out = np.zeros((scale * h, scale * w, y.shape[-1]), np.float32)
      out[scale * y0:scale * y1, scale * x0:scale * x1] = y[
          scale * (y0 - ya):scale * (y1 - ya), scale * (x0 - xa):scale * (x1 - xa)]
  return out
