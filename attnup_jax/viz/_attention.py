"""`attention_maps`: the K x K attention window of chosen pixels as heat maps."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib.patches import Rectangle

from attnup_jax.viz._figure import display_image, new_figure, save_figure


def _kernel_map(conv_kernel, ksize: int) -> np.ndarray:
  """`[K, K]` or `[K, K, Cin, Cout]` -> `[K, K]` (L2 norm over the channels)."""
  k = np.asarray(conv_kernel, np.float32)
  if k.shape[:2] != (ksize, ksize) or k.ndim not in (2, 4):
    raise ValueError(f"`conv_kernel` must be [K, K] or [K, K, Cin, Cout] with "
                     f"K={ksize}, got shape {k.shape}.")
  return k if k.ndim == 2 else np.sqrt((k**2).sum(axis=(2, 3)))


def _heat(ax, values, title, annotate, cmap):
  ax.imshow(values, cmap=cmap, vmin=0.0, vmax=max(float(values.max()), 1e-12),
            interpolation="nearest")
  ax.set_title(title, fontsize=9)
  if annotate:
    for (y, x), v in np.ndenumerate(values):
      ax.text(x, y, f"{v:.2f}", ha="center", va="center", fontsize=7,
              color="w" if v < 0.6 * values.max() else "k")


def attention_maps(weights, pixels: Sequence[tuple[int, int]], kernel_size: int,
                   *, image=None, context: int | None = None, conv_kernel=None,
                   annotate: bool | None = None, cmap: str = "viridis",
                   panel_size: float = 2.2,
                   path: str | os.PathLike | None = None, dpi: int = 100):
  """One row per pixel: its K x K attention window as a heat map.

  Row `n` shows, for output pixel `pixels[n] = (i, j)`: the image around it
  with the window drawn (when `image` is given), `weights[i, j]` reshaped to
  `[K, K]` (window index `ky*K + kx`, zero at invalid positions, sums to 1),
  and the fixed kernel of a transposed convolution (when `conv_kernel` is
  given): the same at every pixel, where attention adapts to the content.

  Args:
    weights: `[S*H, S*W, K*K]` attention weights of one image, as returned by
      `AttentionUpsample(..., return_weights=True)` or `ops.attention_weights`.
    pixels: `(i, j)` output positions.
    kernel_size: K.
    image: optional `[S*H, S*W(, C)]` image on the output grid, for context.
    context: side of the context crop in pixels (default `3*K`).
    conv_kernel: optional `[K, K]` or `[K, K, Cin, Cout]` transposed-conv kernel
      (shown as its L2 norm over channels, normalised to sum 1).
    annotate: write the values in the cells (default: when K <= 7).

  Returns:
    The `Figure`, with `len(pixels) * (1 + (image is not None) +
    (conv_kernel is not None))` axes.

  Example:
    >>> w = np.full((8, 8, 9), 1 / 9, np.float32)
    >>> len(attention_maps(w, [(2, 3), (5, 5)], 3).axes)
    2
  """
  w = np.asarray(weights, np.float32)
  k = int(kernel_size)
  if w.ndim != 3 or w.shape[-1] != k * k:
    raise ValueError(f"`weights` must be [S*H, S*W, K*K] = [.., .., {k * k}] for "
                     f"kernel_size={k} (one image), got shape {w.shape}.")
  if not pixels:
    raise ValueError("`pixels` is empty: pass at least one (i, j).")
  for i, j in pixels:
    if not (0 <= i < w.shape[0] and 0 <= j < w.shape[1]):
      raise ValueError(f"pixel {(i, j)} is outside the {w.shape[:2]} output grid.")
  if image is not None and np.asarray(image).shape[:2] != w.shape[:2]:
    raise ValueError(f"`image` must be on the output grid {w.shape[:2]}, got "
                     f"shape {np.asarray(image).shape}.")
  kern = None if conv_kernel is None else _kernel_map(conv_kernel, k)
  annotate = k <= 7 if annotate is None else annotate
  ncols = 1 + (image is not None) + (kern is not None)
  fig, axes = new_figure(len(pixels), ncols, panel_size)
  r = (k - 1) // 2
  for row, (i, j) in enumerate(pixels):
    col = 0
    if image is not None:
      img, kw = display_image(image)
      half = (context or 3 * k) // 2
      y0, x0 = max(i - half, 0), max(j - half, 0)
      ax = axes[row, col]
      ax.imshow(img[y0:i + half + 1, x0:j + half + 1], **kw)
      ax.add_patch(Rectangle((j - r - x0 - 0.5, i - r - y0 - 0.5), k, k,
                             fill=False, edgecolor="tab:red", linewidth=1.5))
      ax.plot([j - x0], [i - y0], "+", color="tab:red", markersize=8)
      ax.set_title(f"pixel ({i}, {j})", fontsize=9)
      col += 1
    _heat(axes[row, col], w[i, j].reshape(k, k), "attention (this pixel)",
          annotate, cmap)
    col += 1
    if kern is not None:
      norm = kern / max(float(kern.sum()), 1e-12)
      _heat(axes[row, col], norm, "transposed conv (fixed)", annotate, cmap)
  for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
  return save_figure(fig, path, dpi)
