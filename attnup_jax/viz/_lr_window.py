"""`lr_window_maps`: the 4 x 4 low-resolution window that each chosen HR pixel
of a grid-sampled depth upsampler (joint bilateral upsampling, the bilateral
attention model) averages over, drawn on the guide and as a heat map."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from attnup_jax.baselines._grid import OFFSETS
from attnup_jax.viz._attention import _heat
from attnup_jax.viz._figure import display_image, new_figure, save_figure

_N = len(OFFSETS)


def window_samples(i: int, j: int, factor: int) -> np.ndarray:
  """`[4, 4, 2]` HR (row, col) of the LR samples in pixel (i, j)'s window:
  sample (a, b) is LR (i // M + OFFSETS[a], j // M + OFFSETS[b]) on HR pixel
  M times that (`baselines._grid`)."""
  off = np.asarray(OFFSETS)
  rows = factor * (i // factor + off)
  cols = factor * (j // factor + off)
  return np.stack(np.meshgrid(rows, cols, indexing="ij"), -1)


def lr_window_maps(weights: Mapping[str, np.ndarray], pixels: Sequence[tuple[int, int]],
                   factor: int, *, image=None, annotate: bool = True,
                   cmap: str = "viridis", panel_size: float = 2.2,
                   path: str | os.PathLike | None = None, dpi: int = 100):
  """One row per pixel: the guide around it with its 16 LR samples drawn as
  dots of area proportional to their weight, then one 4 x 4 heat map per
  entry of `weights` (e.g. the model's and JBU's at the same pixel).

  Args:
    weights: name -> `[M*h, M*w, 16]` weights of one image over each HR pixel's
      window (t = 4*a + b is LR offset (OFFSETS[a], OFFSETS[b]) from its cell),
      as returned by `BilateralAttentionUpsampler(..., return_weights=True)`.
      The dots show the first entry.
    pixels: `(i, j)` HR positions.
    factor: M.
    image: optional `[M*h, M*w(, C)]` guide, for context.

  Returns:
    The `Figure`, with `len(pixels) * (len(weights) + (image is not None))` axes.

  Example:
    >>> w = np.full((16, 16, 16), 1 / 16, np.float32)
    >>> len(lr_window_maps({"uniform": w}, [(5, 6)], 4).axes)
    1
  """
  maps = {name: np.asarray(w, np.float32) for name, w in weights.items()}
  if not maps:
    raise ValueError("`weights` is empty: pass at least one name -> [H, W, 16] array.")
  shapes = {w.shape for w in maps.values()}
  grid = next(iter(maps.values())).shape
  if len(shapes) != 1 or len(grid) != 3 or grid[-1] != _N * _N:
    raise ValueError(f"every entry of `weights` must be one image's [M*h, M*w, "
                     f"{_N * _N}] window weights, got shapes {sorted(shapes)}.")
  if grid[0] % factor or grid[1] % factor:
    raise ValueError(f"the weights' grid {grid[:2]} is not a multiple of factor={factor}.")
  if not pixels:
    raise ValueError("`pixels` is empty: pass at least one (i, j).")
  for i, j in pixels:
    if not (0 <= i < grid[0] and 0 <= j < grid[1]):
      raise ValueError(f"pixel {(i, j)} is outside the {grid[:2]} HR grid.")
  if image is not None and np.asarray(image).shape[:2] != grid[:2]:
    raise ValueError(f"`image` must be on the HR grid {grid[:2]}, got shape "
                     f"{np.asarray(image).shape}.")
  ncols = len(maps) + (image is not None)
  fig, axes = new_figure(len(pixels), ncols, panel_size)
  first = next(iter(maps.values()))
  img, kw = display_image(image) if image is not None else (None, None)
  for row, (i, j) in enumerate(pixels):
    col = 0
    if image is not None:
      at = window_samples(i, j, factor)
      y0, x0 = max(int(at[0, 0, 0]) - factor, 0), max(int(at[0, 0, 1]) - factor, 0)
      y1, x1 = int(at[-1, -1, 0]) + factor + 1, int(at[-1, -1, 1]) + factor + 1
      ax = axes[row, col]
      ax.imshow(img[y0:y1, x0:x1], **kw)
      w = first[i, j]
      ax.scatter(at[..., 1].ravel() - x0, at[..., 0].ravel() - y0,
                 s=600 * w / max(float(w.max()), 1e-12), facecolors="none",
                 edgecolors="tab:red", linewidths=1.5)
      ax.plot([j - x0], [i - y0], "+", color="w", markersize=9, markeredgewidth=2)
      ax.set_title(f"pixel ({i}, {j})", fontsize=9)
      col += 1
    for name, w in maps.items():
      _heat(axes[row, col], w[i, j].reshape(_N, _N), name, annotate, cmap)
      col += 1
  for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
  return save_figure(fig, path, dpi)
