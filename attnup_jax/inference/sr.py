"""Super-resolving RGB or greyscale images: the model on Y, bicubic on CbCr."""

from __future__ import annotations

import functools

import jax
import numpy as np
from flax import nnx

from attnup_jax.data.sr import color, imresize, protocol
from attnup_jax.inference.tiles import run_tiled


@functools.lru_cache(maxsize=8)
def _jitted(graphdef):
  return jax.jit(lambda state, x: nnx.merge(graphdef, state)(x[None])[0])


def upscale_y(model: nnx.Module, y: np.ndarray, *, tile: int | None = 128,
              halo: int = 16) -> np.ndarray:
  """Y `[H, W]` or `[H, W, 1]` float in [0, 1] -> `[s*H, s*W]` float32 (unclipped)."""
  y = np.asarray(y, np.float32)
  if y.ndim == 2:
    y = y[..., None]
  if y.ndim != 3 or y.shape[-1] != 1:
    raise ValueError(f"`y` must be [H, W] or [H, W, 1], got {y.shape}.")
  graphdef, state = nnx.split(model)
  f = _jitted(graphdef)
  return run_tiled(lambda t: f(state, t), y, model.scale, tile, halo)[..., 0]


def upscale_image(model: nnx.Module, image: np.ndarray, *, tile: int | None = 128,
                  halo: int = 16) -> np.ndarray:
  """uint8 RGB `[H, W, 3]` (or greyscale `[H, W]` / `[H, W, 1]`) -> uint8 at
  `model.scale` times the size: the network on the 8-bit Y channel (the grey
  values for a greyscale image), MATLAB bicubic on Cb and Cr."""
  image = protocol.quantise_uint8(np.asarray(image))
  s = model.scale
  if image.ndim == 2 or image.shape[-1] == 1:
    grey = image.reshape(image.shape[:2])
    y = upscale_y(model, grey / 255.0, tile=tile, halo=halo)
    return protocol.quantise_uint8(np.clip(y, 0, 1))
  if image.shape[-1] == 4:
    image = image[..., :3]
  ycbcr = color.rgb_to_ycbcr(image.astype(np.float64) / 255.0)     # /255 scale
  y8 = color.evaluation_channel(image) / 255.0                     # model input
  y = upscale_y(model, y8, tile=tile, halo=halo)
  cbcr = imresize(ycbcr[..., 1:], s)
  out = np.concatenate([y[..., None].astype(np.float64), cbcr], axis=-1)
  return protocol.quantise_uint8(np.clip(color.ycbcr_to_rgb(out), 0, 1))
