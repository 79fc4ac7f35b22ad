"""The depth datasets by name: reader, units, and the normalisation the network sees.

| name          | source                        | units | scale  | splits      | RMSE in   |
|---------------|-------------------------------|-------|--------|-------------|-----------|
| 'nyu_v2'      | nyu_depth_v2_labeled.mat      | m     | 10     | train, val, trainval, test | cm (x100) |
| 'nyu_samples' | NYUv2_samples/dctnet_1000-1002| m     | 10     | test        | cm (x100) |
| 'rgbdd'       | RGBDD (RGB-D-D)               | mm    | 4000   | train, val, trainval, test | cm (x0.1) |
| 'lu'          | Lu_DepthEnh                   | level | 255    | test        | 0-255     |

Normalised depth = depth / scale, float32: NYU's 10 m is the Kinect's range
cap in that set; RGB-D-D's 4000 mm is just above the largest value in the 405
pairs (3830 mm), not a clip (larger values map above 1); the 8-bit maps use 255.
0 stays 0 and means "no measurement" (see `transforms.valid_mask`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from attnup_jax.data.depth import lu, nyu, rgbdd


@dataclasses.dataclass(frozen=True)
class DepthDataset:
  """One dataset's constants.

  Attributes:
    name: registry key.
    units: unit of the stored depth ('m', 'mm' or 'level' for 0-255 maps).
    scale: depth in `units` = normalised * scale.
    metric_units: unit RMSE is reported in ('cm' or 'level').
    metric_scale: RMSE in metric units = RMSE in `units` * metric_scale.
    splits: available splits.
    source: class with `(split, data_dir)` giving `__len__` / `__getitem__`
      records {'id', 'rgb' [H, W, 3] uint8, 'depth' [H, W] in `units`}.
    tfds_name: name of the TFDS builder (see `tfds_builders`), or None.
  """
  name: str
  units: str
  scale: float
  metric_units: str
  metric_scale: float
  splits: tuple[str, ...]
  source: type
  tfds_name: str | None = None

  def normalize(self, depth) -> np.ndarray:
    """`depth` in `units` -> float32 `depth / scale` (about [0, 1])."""
    return np.asarray(depth, np.float32) / np.float32(self.scale)

  def denormalize(self, x):
    """Normalised depth -> `units` (float32); numpy or jax arrays."""
    return x * np.float32(self.scale)


# 'val' is the end of the paper's training images, held back to select
# checkpoints and tune on; 'train' is the rest; 'trainval' both.
SPLITS = ("train", "val", "trainval", "test")

DATASETS = {d.name: d for d in (
    DepthDataset("nyu_v2", "m", 10.0, "cm", 100.0, SPLITS,
                 nyu.NYULabeled, "attnup_nyu_depth_v2"),
    DepthDataset("nyu_samples", "m", 10.0, "cm", 100.0, ("test",),
                 nyu.NYUSamples),
    DepthDataset("rgbdd", "mm", 4000.0, "cm", 0.1, SPLITS,
                 rgbdd.RGBDD, "attnup_rgbdd"),
    DepthDataset("lu", "level", 255.0, "level", 1.0, ("test",),
                 lu.LuDepthEnh, "attnup_lu_depth_enh"),
)}


def get_dataset(name: str, split: str | None = None) -> DepthDataset:
  """The dataset's constants; ValueError for an unknown name or split."""
  if name not in DATASETS:
    raise ValueError(f"unknown depth dataset {name!r}; one of {sorted(DATASETS)}.")
  d = DATASETS[name]
  if split is not None and split not in d.splits:
    raise ValueError(f"dataset {name!r} has splits {d.splits}, not {split!r}.")
  return d


def normalize(depth, name: str) -> np.ndarray:
  """Depth in the dataset's units -> normalised float32."""
  return get_dataset(name).normalize(depth)


def denormalize(x, name: str):
  """Normalised depth -> the dataset's units (m, mm or 0-255 levels)."""
  return get_dataset(name).denormalize(x)
