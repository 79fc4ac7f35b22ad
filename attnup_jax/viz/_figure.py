"""Shared figure plumbing: pyplot-free figures, saving, image normalisation."""

from __future__ import annotations

import os

import numpy as np
from matplotlib.figure import Figure


def new_figure(nrows: int, ncols: int, panel_size: float = 3.0, *,
               squeeze: bool = False, **subplot_kw):
  """A `Figure` (no pyplot, any backend) and its `[nrows, ncols]` axes array."""
  fig = Figure(figsize=(panel_size * ncols, panel_size * nrows),
               layout="constrained")
  axes = fig.subplots(nrows, ncols, squeeze=squeeze, subplot_kw=subplot_kw)
  return fig, axes


def save_figure(fig: Figure, path: str | os.PathLike | None, dpi: int = 100):
  """Saves `fig` to `path` (format from the suffix) when `path` is given."""
  if path is not None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=dpi)
  return fig


def figure_to_array(fig: Figure, dpi: int = 100) -> np.ndarray:
  """Renders `fig` to a uint8 `[H, W, 4]` RGBA array (e.g. for TensorBoard)."""
  from matplotlib.backends.backend_agg import FigureCanvasAgg
  canvas = FigureCanvasAgg(fig)
  fig.set_dpi(dpi)
  canvas.draw()
  return np.asarray(canvas.buffer_rgba()).copy()


def display_image(image) -> tuple[np.ndarray, dict]:
  """`[H, W]`, `[H, W, 1]` or `[H, W, 3]` (uint8, or float in [0, 1]) ->
  (array for `imshow`, imshow keyword arguments)."""
  img = np.asarray(image)
  if img.ndim == 3 and img.shape[-1] == 1:
    img = img[..., 0]
  if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[-1] not in (3, 4)):
    raise ValueError(
        f"images must be [H, W], [H, W, 1] or [H, W, 3], got shape {img.shape}.")
  if img.dtype != np.uint8:
    img = np.clip(img.astype(np.float32), 0.0, 1.0)
  kw = {"interpolation": "nearest"}
  if img.ndim == 2:
    kw.update(cmap="gray", vmin=0, vmax=255 if img.dtype == np.uint8 else 1.0)
  return img, kw
