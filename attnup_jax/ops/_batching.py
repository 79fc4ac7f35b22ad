"""Leading batch dimensions, handled by `jax.vmap`.

The ops are written for one image (`[H, W, C]`); `batched` lifts such a
function to any number of leading batch dimensions shared by its image
arguments, so `[B, H, W, C]`, `[T, B, H, W, C]` and `[H, W, C]` all work.
"""

from __future__ import annotations

import jax


def batched(fn, x, *, image_args: int = 1, rank: int = 3):
  """Calls `fn(*x)` with the leading dims of the image arguments vmapped.

  Args:
    fn: function of `image_args` single images (each of rank `rank`) followed
      by any number of unbatched arguments.
    x: tuple of arguments; the first `image_args` carry the batch dims.
  """
  images, rest = x[:image_args], x[image_args:]
  lead = images[0].shape[:images[0].ndim - rank]
  for i, a in enumerate(images[1:], 1):
    if a.shape[:a.ndim - rank] != lead:
      raise ValueError(
          f"batch dimensions differ between arguments: {lead} vs "
          f"{a.shape[:a.ndim - rank]} (argument {i}); give every image "
          f"argument the same leading dimensions.")
  f = lambda *imgs: fn(*imgs, *rest)
  for _ in lead:
    f = jax.vmap(f)
  return f(*images)
