"""`compare_figure`: methods side by side with zoomed crops (paper Fig. 7)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.patches import Rectangle

from attnup_jax.viz._figure import display_image, new_figure, save_figure

BOX_COLORS = ("tab:red", "tab:cyan", "tab:orange", "tab:green", "tab:purple")


def _psnr(reference: np.ndarray, image: np.ndarray, scale: int | None) -> float:
  """SPEC Sec. 3 PSNR on Y when `scale` is given, else plain PSNR on [0, 1]."""
  if scale is not None:
    from attnup_jax.metrics import psnr_y
    return psnr_y(reference, image, scale)
  a = np.asarray(reference, np.float64)
  b = np.asarray(image, np.float64)
  a = a / 255.0 if np.asarray(reference).dtype == np.uint8 else a
  b = b / 255.0 if np.asarray(image).dtype == np.uint8 else b
  mse = np.mean((np.clip(a, 0, 1) - np.clip(b, 0, 1)) ** 2)
  return float("inf") if mse == 0 else float(10.0 * np.log10(1.0 / mse))


def _check_box(box, shape, name):
  y, x, h, w = (int(v) for v in box)
  if h < 1 or w < 1 or y < 0 or x < 0 or y + h > shape[0] or x + w > shape[1]:
    raise ValueError(f"zoom box (y, x, h, w)={tuple(box)} does not fit inside "
                     f"image {name!r} of shape {tuple(shape)}.")
  return y, x, h, w


def compare_figure(images: Mapping[str, np.ndarray],
                   zoom_boxes: Sequence[tuple[int, int, int, int]] = (), *,
                   reference: str | None = None, scale: int | None = None,
                   psnr: Mapping[str, float] | None = None,
                   panel_size: float = 3.0,
                   path: str | os.PathLike | None = None, dpi: int = 100):
  """Images side by side, each with its zoomed crops below it (paper Fig. 7).

  Row 0 shows every image with the zoom boxes drawn; row `1 + n` shows crop
  `n` of every image, framed in the colour of its box.

  Args:
    images: title -> image, all the same `[H, W]`, `[H, W, 1]` or `[H, W, 3]`
      (uint8, or float in [0, 1]), e.g. {"bicubic": ..., "deconvolution": ...,
      "attention": ..., "ground truth": ...}.
    zoom_boxes: `(y, x, h, w)` boxes in pixels.
    reference: key of the ground truth; every other title then gets its PSNR.
    scale: with `reference`, compute PSNR by the SPEC Sec. 3 protocol (Y,
      `scale` pixels shaved, `attnup_jax.metrics.psnr_y`); without it, plain
      PSNR over all pixels of the [0, 1] images.
    psnr: precomputed title -> dB values (take precedence).
    panel_size: inches per panel.
    path: save the figure there (format from the suffix).

  Returns:
    The `matplotlib.figure.Figure`, with `len(images) * (1 + len(zoom_boxes))` axes.

  Example:
    >>> hr = np.random.rand(32, 32, 3).astype(np.float32)
    >>> fig = compare_figure({"noisy": np.clip(hr + 0.1, 0, 1), "ground truth": hr},
    ...                      [(4, 4, 8, 8)], reference="ground truth")
    >>> len(fig.axes)
    4
  """
  if not images:
    raise ValueError("`images` is empty: pass at least one title -> image.")
  names = list(images)
  shapes = {n: np.asarray(images[n]).shape[:2] for n in names}
  if len(set(shapes.values())) != 1:
    raise ValueError(f"all images must share one height and width, got {shapes}.")
  if reference is not None and reference not in images:
    raise ValueError(f"`reference`={reference!r} is not a key of `images` {names}.")
  boxes = [_check_box(b, shapes[names[0]], names[0]) for b in zoom_boxes]
  values = dict(psnr or {})
  if reference is not None:
    for n in names:
      if n != reference and n not in values:
        values[n] = _psnr(images[reference], images[n], scale)

  fig, axes = new_figure(1 + len(boxes), len(names), panel_size)
  for col, name in enumerate(names):
    img, kw = display_image(images[name])
    ax = axes[0, col]
    ax.imshow(img, **kw)
    ax.set_title(f"{name}\n{values[name]:.2f} dB" if name in values else name)
    for i, (y, x, h, w) in enumerate(boxes):
      color = BOX_COLORS[i % len(BOX_COLORS)]
      ax.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False,
                             edgecolor=color, linewidth=1.5))
      crop = axes[1 + i, col]
      crop.imshow(img[y:y + h, x:x + w], **kw)
      for spine in crop.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(2.5)
  for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
  return save_figure(fig, path, dpi)
