"""RGB-D-D (He et al. 2021), the real RGB-D pairs in `depth/RGBDD`.

Files: `RGB/<id>_RGB.jpg` (`[384, 512, 3]` uint8) and `Depth/<id>_HR_gt.png`
(`[384, 512]` uint16, millimetres, 0 = no measurement). 405 pairs, the
benchmark's test split, used here for both training and testing.

Project split: sort the ids (capture timestamps); the first 324 are
'trainval', the last 81 'test'. Of the 324, the first 300 are 'train' and the
last 24 'val' (held back to select checkpoints on; test sets never select).
Contiguous, so near-duplicate neighbouring frames do not leak between splits.
"""

from __future__ import annotations

import pathlib

import numpy as np

from attnup_jax.data import paths
from attnup_jax.data.depth import _io

RGBDD_NUM_IMAGES = 405
RGBDD_NUM_TRAIN = 324     # 'trainval' = 'train' + 'val'
RGBDD_NUM_VAL = 24


def rgbdd_root(data_dir=None) -> pathlib.Path:
  """The RGB-D-D folder: `data_dir` itself when it holds RGB/ and Depth/, else
  `<data root>/depth/RGBDD` (data root from `data_dir` / $ATTNUP_DATA_DIR)."""
  if data_dir is not None:
    d = pathlib.Path(data_dir)
    if (d / "RGB").is_dir() and (d / "Depth").is_dir():
      return d
  return paths.dataset_dir("depth", "RGBDD", data_dir=data_dir)


def rgbdd_ids(split: str, data_dir=None) -> list[str]:
  """Sorted ids of `split` ('train': first 300, 'val': the next 24,
  'trainval': first 324, 'test': last 81, 'all': 405)."""
  root = rgbdd_root(data_dir)
  ids = sorted(p.name[:-len("_RGB.jpg")] for p in (root / "RGB").glob("*_RGB.jpg"))
  missing = [i for i in ids if not (root / "Depth" / f"{i}_HR_gt.png").is_file()]
  if missing:
    raise FileNotFoundError(f"RGB-D-D: no Depth/<id>_HR_gt.png for {missing[:5]} "
                            f"({len(missing)} ids) under {str(root)!r}.")
  if len(ids) != RGBDD_NUM_IMAGES:
    raise ValueError(f"RGB-D-D: expected {RGBDD_NUM_IMAGES} pairs under "
                     f"{str(root)!r}, found {len(ids)}; the 324/81 split needs all.")
  if split == "train":
    return ids[:RGBDD_NUM_TRAIN - RGBDD_NUM_VAL]
  if split == "val":
    return ids[RGBDD_NUM_TRAIN - RGBDD_NUM_VAL:RGBDD_NUM_TRAIN]
  if split == "trainval":
    return ids[:RGBDD_NUM_TRAIN]
  if split == "test":
    return ids[RGBDD_NUM_TRAIN:]
  if split == "all":
    return ids
  raise ValueError(f"split must be 'train', 'val', 'trainval', 'test' or 'all', "
                   f"got {split!r}.")


class RGBDD:
  """Random access to one split: `source[i]` -> {'id': str, 'rgb': [384, 512, 3]
  uint8, 'depth': [384, 512] uint16 millimetres}."""

  def __init__(self, split: str = "train", data_dir=None):
    self.split = split
    self.root = rgbdd_root(data_dir)
    self.ids = rgbdd_ids(split, data_dir)

  def __len__(self) -> int:
    return len(self.ids)

  def __getitem__(self, i: int) -> dict:
    k = self.ids[i]
    return {"id": k,
            "rgb": _io.read_rgb(self.root / "RGB" / f"{k}_RGB.jpg"),
            "depth": _io.read_depth_png(self.root / "Depth" / f"{k}_HR_gt.png",
                                        np.uint16)}

  def __repr__(self) -> str:
    return f"RGBDD(split={self.split!r}, n={len(self)})"
