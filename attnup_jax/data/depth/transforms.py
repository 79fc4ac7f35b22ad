"""Per-example transforms: records {'id', 'rgb', 'depth'} -> network inputs.

Shapes (per example, NHWC without the batch): guide `[H, W, 3]` float32 in
[0, 1]; depth_hr `[H, W, 1]`; depth_lr `[H/M, W/M, 1]`; valid `[H, W, 1]` bool.
"""

from __future__ import annotations

import numpy as np

from attnup_jax.data.depth import degrade
from attnup_jax.data.depth.datasets import DepthDataset


def rgb_to_float(rgb: np.ndarray) -> np.ndarray:
  """uint8 `[H, W, 3]` -> float32 in [0, 1] (`rgb / 255`)."""
  if rgb.dtype != np.uint8:
    raise ValueError(f"expected uint8 RGB, got {rgb.dtype}.")
  return rgb.astype(np.float32) / np.float32(255.0)


def valid_mask(depth: np.ndarray) -> np.ndarray:
  """`depth > 0` as bool, same shape: 0 marks a missing measurement (hole).

  Holes are excluded from the loss and the RMSE by this mask; they are never
  averaged in as zeros.
  """
  return np.asarray(depth) > 0


def random_crop(record: dict, crop: int, factor: int,
                rng: np.random.Generator) -> dict:
  """A `crop x crop` window of 'rgb' and 'depth' at an offset divisible by M.

  Aligning the offset keeps `hr[::M, ::M]` of the crop on the image's own grid.
  ValueError if `crop` is not divisible by M or exceeds the image.
  """
  m = degrade.check_factor(factor)
  if crop % m:
    raise ValueError(f"crop={crop} must be divisible by factor={m}.")
  h, w = record["depth"].shape[:2]
  if crop > h or crop > w:
    raise ValueError(f"crop={crop} is larger than image {record['id']!r} "
                     f"({h}x{w}).")
  y = m * int(rng.integers(0, (h - crop) // m + 1))
  x = m * int(rng.integers(0, (w - crop) // m + 1))
  return {**record, "rgb": record["rgb"][y:y + crop, x:x + crop],
          "depth": record["depth"][y:y + crop, x:x + crop]}


def random_augment(record: dict, rng: np.random.Generator) -> dict:
  """A random variant of a (cropped) record, for small training sets.

  One of the 8 flips/rotations of the square crop (the same for 'rgb' and
  'depth'; grid sampling happens after, so LR samples stay on the crop's own
  grid), the RGB channels in a random order, inverted with probability 1/2,
  contrast x U(0.7, 1.3) and brightness + U(-0.1, 0.1) (clipped to 0..255),
  and the depth x U(0.7, 1.4) (the same scene nearer or farther; holes stay
  0). 'depth' becomes float32 in its units.
  """
  rgb, depth = np.asarray(record["rgb"]), np.asarray(record["depth"], np.float32)
  if rgb.shape[0] != rgb.shape[1]:
    raise ValueError(f"random_augment needs a square crop, got {rgb.shape[:2]}.")
  k, flip = int(rng.integers(4)), bool(rng.integers(2))
  rgb, depth = np.rot90(rgb, k), np.rot90(depth, k)
  if flip:
    rgb, depth = rgb[:, ::-1], depth[:, ::-1]
  g = rgb[..., rng.permutation(3)].astype(np.float32) / np.float32(255)
  if rng.integers(2):
    g = 1 - g
  g = (g - 0.5) * rng.uniform(0.7, 1.3) + 0.5 + rng.uniform(-0.1, 0.1)
  rgb = np.round(np.clip(g, 0, 1) * 255).astype(np.uint8)
  depth = depth * np.float32(rng.uniform(0.7, 1.4))
  return {**record, "rgb": np.ascontiguousarray(rgb),
          "depth": np.ascontiguousarray(depth)}


def to_example(record: dict, dataset: DepthDataset, factor: int,
               degradation: str = "grid") -> dict:
  """Record -> {'guide', 'depth_lr', 'depth_hr', 'valid'}, depths normalised.

  The HR size must already be divisible by M (crop or `degrade.mod_crop`).
  depth_lr is made from the normalised HR depth by `degrade.degrade_depth`.
  """
  if record["rgb"].shape[:2] != record["depth"].shape[:2]:
    raise ValueError(f"rgb {record['rgb'].shape} and depth "
                     f"{record['depth'].shape} differ in size.")
  hr = dataset.normalize(record["depth"])[..., None]
  lr = degrade.degrade_depth(hr, factor, degradation)
  return {"guide": rgb_to_float(record["rgb"]),
          "depth_lr": np.ascontiguousarray(lr),
          "depth_hr": hr,
          "valid": valid_mask(hr)}
