"""Depth-guided upsampling of whole images: normalise, run the model, denormalise.

Shapes: `h x w` the LR depth grid, `M` the factor, `H = M*h`, `W = M*w`.

    depth = upsample_depth(model, depth_lr [h, w], guide uint8 [H, W, 3], scale=4000)

`scale` is the depth (in the input's units) that the network sees as 1.0: the
training set's normalisation (`attnup_jax.data.depth.datasets`): 4000 for
RGB-D-D millimetres, 255 for 8-bit maps, 10 for NYU metres.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from attnup_jax.inference.tiles import run_tiled
from attnup_jax.models.depth import check_factor
from attnup_jax.models.presets import depth_spec
from attnup_jax.models.spec import abstract_model


@functools.lru_cache(maxsize=8)
def _jitted(graphdef):
  """`(state, depth_lr [h, w, 1], guide [H, W, 3]) -> [H, W, 1]`, compiled."""
  return jax.jit(lambda state, d, g: nnx.merge(graphdef, state)(d[None], g[None])[0])


def random_depth_model(name: str, factor: int, seed: int = 0) -> nnx.Module:
  """A Table I model with random weights drawn by numpy, for smoke tests.

  The module is built abstractly (`nnx.eval_shape`) and its parameters filled
  with kernels ~ N(0, 1/fan_in), zero biases and N(0, 1) position encodings.
  This skips compiling the models' truncated-normal initialisers (one XLA
  compile per weight shape, tens of seconds on a loaded CPU); the
  distribution differs slightly from the models' own init.
  """
  model = abstract_model(depth_spec(name, factor))
  rng = np.random.default_rng(seed)

  def fill(path, leaf):
    key = str(getattr(path[-1], "key", path[-1]))
    if key == "bias":
      return jnp.zeros(leaf.shape, leaf.dtype)
    std = 1.0 / np.sqrt(np.prod(leaf.shape[:-1])) if key == "kernel" else 1.0
    return jnp.asarray(rng.normal(0.0, std, leaf.shape), leaf.dtype)

  state = nnx.state(model, nnx.Param)
  nnx.replace_by_pure_dict(state, jax.tree_util.tree_map_with_path(
      fill, nnx.to_pure_dict(state)))
  nnx.update(model, state)
  return model


def check_pair(depth_shape, guide_shape, factor) -> int:
  """ValueError unless `depth [h, w]` and `guide [M*h, M*w, 3]` fit; returns M."""
  m = check_factor(factor)
  if len(depth_shape) != 2:
    raise ValueError(f"the LR depth must be one channel [h, w], got shape "
                     f"{tuple(depth_shape)}.")
  if len(guide_shape) != 3 or guide_shape[-1] != 3:
    raise ValueError(f"the guide must be an RGB image [H, W, 3], got shape "
                     f"{tuple(guide_shape)}; convert it to RGB first.")
  h, w = depth_shape
  if tuple(guide_shape[:2]) != (m * h, m * w):
    raise ValueError(
        f"the guide must be factor={m} times the size of the depth: depth is "
        f"{h}x{w} (h x w), so the guide must be {m * h}x{m * w}, but it is "
        f"{guide_shape[0]}x{guide_shape[1]}. Fix: resize or crop the guide to "
        f"{m * h}x{m * w}, or pass the --factor that matches the pair.")
  return m


def predict_normalised(model: nnx.Module, depth_lr: np.ndarray, guide: np.ndarray,
                       *, tile: int | None = None, halo: int = 16) -> np.ndarray:
  """The model on one normalised pair.

  Args:
    model: a depth model (`model.factor` = M) called as `model(depth_lr, guide)`.
    depth_lr: `[h, w, 1]` float32, normalised depth (0 = hole).
    guide: `[M*h, M*w, 3]` float32 RGB in [0, 1].
    tile: LR tile side for bounded memory (None: the whole image at once).
    halo: LR pixels of context around each tile (>= the receptive field
      radius in LR pixels gives the untiled result up to float rounding).

  Returns:
    `[M*h, M*w, 1]` float32, normalised.
  """
  m = model.factor
  h, w = depth_lr.shape[:2]
  graphdef, state = nnx.split(model)
  f = _jitted(graphdef)
  if tile is None or (h <= tile and w <= tile):
    return np.asarray(f(state, depth_lr, guide), np.float32)
  # Pack the guide onto the LR grid (space-to-depth) so that one tiler cuts
  # both inputs at the same places: [h, w, 1 + 3*M*M].
  g = guide.reshape(h, m, w, m, 3).transpose(0, 2, 1, 3, 4).reshape(h, w, 3 * m * m)
  packed = np.concatenate([depth_lr, g], axis=-1)

  def run(t: np.ndarray) -> np.ndarray:
    th, tw = t.shape[:2]
    tg = t[..., 1:].reshape(th, tw, m, m, 3).transpose(0, 2, 1, 3, 4)
    return f(state, np.ascontiguousarray(t[..., :1]),
             np.ascontiguousarray(tg.reshape(m * th, m * tw, 3)))

  return run_tiled(run, packed, m, tile, halo)


def upsample_depth(model: nnx.Module, depth_lr, guide, scale: float, *,
                   tile: int | None = None, halo: int = 16) -> np.ndarray:
  """Upsamples an LR depth map with an RGB guide.

  Args:
    model: a depth model of factor M (`attnup_jax.models.presets.depth_spec`).
    depth_lr: `[h, w]` (or `[h, w, 1]`) depth in any units, 0 = hole.
    guide: `[M*h, M*w, 3]` uint8 RGB.
    scale: depth in the input's units that normalises to 1 (the training
      set's convention: 4000 for mm, 255 for 8-bit levels, 10 for metres).
    tile, halo: see `predict_normalised`.

  Returns:
    `[M*h, M*w]` float32 depth in the input's units (unclipped, unrounded).

  Raises:
    ValueError: guide size != M x depth size, guide not 3 channels, M not a
      power of two, a non-positive scale, a negative or non-finite depth, or
      a map of holes only.
  """
  d = np.asarray(depth_lr)
  if d.ndim == 3 and d.shape[-1] == 1:
    d = d[..., 0]
  g = np.asarray(guide)
  check_pair(d.shape, g.shape, model.factor)
  if g.dtype != np.uint8:
    raise ValueError(f"the guide must be uint8 RGB, got {g.dtype}.")
  if not np.isfinite(scale) or scale <= 0:
    raise ValueError(f"scale must be a positive depth (input units), got {scale}.")
  finite = np.isfinite(d).all()
  if not finite or (d < 0).any():
    raise ValueError(f"depth_lr must be finite and >= 0 (0 marks a hole); the "
                     f"{d.shape[1]}x{d.shape[0]} map has values from {np.nanmin(d)} "
                     f"to {np.nanmax(d)}{'' if finite else ' and NaN/inf'}.")
  if not (d > 0).any():
    raise ValueError(f"depth_lr has no measured sample: all {d.shape[1]}x{d.shape[0]} "
                     f"pixels are 0 (holes), so there is nothing to upsample. Check "
                     f"that the file is the depth map, not a mask or an empty frame.")
  s = np.float32(scale)
  x = (d.astype(np.float32) / s)[..., None]
  rgb = g.astype(np.float32) / np.float32(255.0)
  y = predict_normalised(model, x, rgb, tile=tile, halo=halo)
  return y[..., 0] * s
