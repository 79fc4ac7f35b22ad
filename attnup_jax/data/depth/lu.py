"""`depth/Lu_DepthEnh`: 45 test pairs (Middlebury 30, RGBZ 9, Lu RGBD 6).

Files `<set>/<name>_output_depth.png` (`[H, W]` uint8, depth/disparity on the
0-255 scale, 0 = hole) with `<name>_output_color.png` (`[H, W, 3]` uint8, same
size). The six Lu colour files are misspelled `<name>_ouput_color.png` in the
original archive; both spellings are accepted. Sizes vary (250x295 to 480x640).
Test only: there is no training split.
"""

from __future__ import annotations

import pathlib

import numpy as np

from attnup_jax.data import paths
from attnup_jax.data.depth import _io

LU_NUM_IMAGES = 45
_DEPTH_SUFFIX = "_output_depth.png"
_COLOR_SUFFIXES = ("_output_color.png", "_ouput_color.png")


def lu_root(data_dir=None) -> pathlib.Path:
  """The Lu_DepthEnh folder: `data_dir` itself when its subfolders hold
  `*_output_depth.png`, else `<data root>/depth/Lu_DepthEnh`."""
  if data_dir is not None:
    d = pathlib.Path(data_dir)
    if next(d.glob(f"*/*{_DEPTH_SUFFIX}"), None) is not None:
      return d
  return paths.dataset_dir("depth", "Lu_DepthEnh", data_dir=data_dir)


def lu_pairs(data_dir=None) -> list[tuple[str, pathlib.Path, pathlib.Path]]:
  """Sorted `(id, colour path, depth path)`, id like 'Middlebury_01'."""
  root = lu_root(data_dir)
  pairs = []
  for depth in sorted(root.rglob(f"*{_DEPTH_SUFFIX}")):
    stem = depth.name[:-len(_DEPTH_SUFFIX)]
    colors = [depth.with_name(stem + s) for s in _COLOR_SUFFIXES]
    color = next((c for c in colors if c.is_file()), None)
    if color is None:
      raise FileNotFoundError(f"Lu_DepthEnh: no colour image for {str(depth)!r} "
                              f"(tried {[c.name for c in colors]}).")
    pairs.append((stem, color, depth))
  if not pairs:
    raise FileNotFoundError(f"no *{_DEPTH_SUFFIX} under {str(root)!r}.")
  return pairs


class LuDepthEnh:
  """`source[i]` -> {'id': str, 'rgb': [H, W, 3] uint8, 'depth': [H, W] uint8}."""

  def __init__(self, split: str = "test", data_dir=None):
    if split != "test":
      raise ValueError(f"Lu_DepthEnh is a test set only, got split={split!r}.")
    self.split = split
    self.pairs = lu_pairs(data_dir)

  def __len__(self) -> int:
    return len(self.pairs)

  def __getitem__(self, i: int) -> dict:
    k, color, depth = self.pairs[i]
    rgb = _io.read_rgb(color)
    d = _io.read_depth_png(depth, np.uint8)
    if rgb.shape[:2] != d.shape:
      raise ValueError(f"Lu_DepthEnh {k}: colour {rgb.shape} and depth "
                       f"{d.shape} differ in size.")
    return {"id": k, "rgb": rgb, "depth": d}
