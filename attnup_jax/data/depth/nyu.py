"""NYU Depth v2 (Silberman et al. 2012): the labeled set and the offline samples.

The labeled set is one MATLAB v7.3 file, `nyu_depth_v2_labeled.mat` (HDF5, 2.8 GB):

    images  MATLAB [480, 640, 3, 1449] uint8  -> h5py [1449, 3, 640, 480]
    depths  MATLAB [480, 640, 1449] single    -> h5py [1449, 640, 480], metres

MATLAB writes column-major arrays, so h5py sees every axis reversed:
`h5['images'][n, c, x, y] == images(y+1, x+1, c+1, n+1)`. The readers transpose
back to row-major `rgb [480, 640, 3] uint8` and `depth [480, 640] float32`
metres. `depths` is the in-painted (hole-free) map; zeros would still be
treated as holes downstream.

Paper protocol (Sec. IV-A-2): the first 1000 images train, the last 449 test.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

from attnup_jax.data import paths
from attnup_jax.data.depth import _io

NYU_URL = ("http://horatio.cs.nyu.edu/mit/silberman/nyu_depth_v2/"
           "nyu_depth_v2_labeled.mat")
NYU_FILENAME = "nyu_depth_v2_labeled.mat"
NYU_NUM_IMAGES = 1449
NYU_NUM_TRAIN = 1000
NYU_NUM_VAL = 75       # the last 75 of the 1000 training images: checkpoint selection


def nyu_mat_path(data_dir: str | os.PathLike | None = None) -> pathlib.Path:
  """Finds `nyu_depth_v2_labeled.mat`.

  `data_dir` may be the .mat file itself, a folder holding it, or the data root
  (looked up in `depth/NYUv2/` and `depth/` under it). Raises FileNotFoundError
  with the download URL when it is absent (it is not in the offline data).
  """
  if data_dir is not None and pathlib.Path(data_dir).suffix == ".mat":
    candidates = [pathlib.Path(data_dir)]
  else:
    candidates = [pathlib.Path(data_dir) / NYU_FILENAME] if data_dir else []
    root = paths.data_root(data_dir)
    candidates += [root / "depth" / "NYUv2" / NYU_FILENAME,
                   root / "depth" / NYU_FILENAME]
  for c in candidates:
    if c.is_file():
      return c
  raise FileNotFoundError(
      f"{NYU_FILENAME} not found (looked at {[str(c) for c in candidates]}). "
      f"Download it (2.8 GB) from {NYU_URL} into <data_dir>/depth/NYUv2/.")


def nyu_split_indices(num_images: int, split: str) -> range:
  """Image indices of `split`: 'train' = [0, 925), 'val' = [925, 1000) (held
  back from the paper's 1000 training images to select checkpoints on),
  'trainval' = [0, 1000), 'test' = [1000, N)."""
  if num_images <= NYU_NUM_TRAIN:
    raise ValueError(f"the NYU labeled set has {NYU_NUM_IMAGES} images; this "
                     f"file has {num_images}, too few for the 1000/449 split.")
  if split == "train":
    return range(0, NYU_NUM_TRAIN - NYU_NUM_VAL)
  if split == "val":
    return range(NYU_NUM_TRAIN - NYU_NUM_VAL, NYU_NUM_TRAIN)
  if split == "trainval":
    return range(0, NYU_NUM_TRAIN)
  if split == "test":
    return range(NYU_NUM_TRAIN, num_images)
  raise ValueError(f"split must be 'train', 'val', 'trainval' or 'test', got "
                   f"{split!r}.")


def _check_layout(images, depths) -> None:
  if images.ndim != 4 or images.shape[1] != 3 or depths.ndim != 3 or \
      images.shape[0] != depths.shape[0] or images.shape[2:] != depths.shape[1:]:
    raise ValueError(
        f"unexpected NYU .mat layout: images {images.shape}, depths "
        f"{depths.shape}; expected [N, 3, W, H] and [N, W, H] (MATLAB v7.3, "
        f"e.g. (1449, 3, 640, 480) and (1449, 640, 480)).")


class NYULabeled:
  """Random access to the labeled set; a grain/TFDS-friendly data source.

  `source[i]` -> {'id': str, 'rgb': [H, W, 3] uint8, 'depth': [H, W] float32
  metres}, i indexing the split (i-th test image is labeled-set index 1000+i).
  The HDF5 file is opened lazily in each process (picklable).
  """

  def __init__(self, split: str = "train", data_dir=None):
    self.path = nyu_mat_path(data_dir)
    self.split = split
    self._h5 = None
    with self._open() as f:
      _check_layout(f["images"], f["depths"])
      self.indices = nyu_split_indices(f["images"].shape[0], split)

  def _open(self):
    import h5py  # pylint: disable=g-import-not-at-top
    return h5py.File(self.path, "r")

  def __len__(self) -> int:
    return len(self.indices)

  def __getitem__(self, i: int) -> dict:
    if self._h5 is None:
      self._h5 = self._open()
    n = self.indices[i]
    rgb = np.asarray(self._h5["images"][n], np.uint8)        # [3, W, H]
    depth = np.asarray(self._h5["depths"][n], np.float32)    # [W, H]
    return {"id": f"{n:04d}",
            "rgb": np.ascontiguousarray(rgb.transpose(2, 1, 0)),
            "depth": np.ascontiguousarray(depth.T)}

  def __getstate__(self):
    return {**self.__dict__, "_h5": None}

  def __repr__(self) -> str:
    return (f"NYULabeled(split={self.split!r}, n={len(self)}, "
            f"path={str(self.path)!r})")


class NYUSamples:
  """`depth/NYUv2_samples/dctnet_1000-1002`: labeled-set images 1000..1002.

  `source[i]` -> {'id': '1000'.., 'rgb': [480, 640, 3] uint8 (JPEG, as
  distributed by DCTNet), 'depth': [480, 640] float32 metres}. Test-split
  images only (the first three of the 449).
  """

  def __init__(self, split: str = "test", data_dir=None):
    if split != "test":
      raise ValueError(f"NYUv2_samples holds test images only, got {split!r}.")
    self.root = paths.dataset_dir("depth", "NYUv2_samples", "dctnet_1000-1002",
                                  data_dir=data_dir)
    self.ids = sorted(p.stem for p in (self.root / "Depth").glob("*.npy"))
    if not self.ids:
      raise FileNotFoundError(f"no Depth/*.npy under {str(self.root)!r}.")

  def __len__(self) -> int:
    return len(self.ids)

  def __getitem__(self, i: int) -> dict:
    k = self.ids[i]
    depth = np.load(self.root / "Depth" / f"{k}.npy").astype(np.float32)
    return {"id": k, "rgb": _io.read_rgb(self.root / "RGB" / f"{k}.jpg"),
            "depth": depth}


def read_nyu_8bit_samples(data_dir=None) -> dict[str, dict]:
  """The two 8-bit NYU examples: DKN's `dkn_test0` and DJF's `djf_1025`.

  Returns {'dkn_test0': {'rgb', 'depth', 'depth_lr'}, 'djf_1025': {'rgb',
  'depth'}} with rgb `[480, 640, 3]` uint8 and depth maps `[480, 640]` uint8
  (depth rescaled per image to 0-255 by their authors, so not metric; DKN's
  `0_lr.png` is its own low-resolution input, upsampled back to full size).
  """
  root = paths.dataset_dir("depth", "NYUv2_samples", data_dir=data_dir)
  dkn, djf = root / "dkn_test0", root / "djf_1025"
  return {
      "dkn_test0": {"rgb": _io.read_rgb(dkn / "0_rgb.png"),
                    "depth": _io.read_depth_png(dkn / "0_gt.png", np.uint8),
                    "depth_lr": _io.read_depth_png(dkn / "0_lr.png", np.uint8)},
      "djf_1025": {"rgb": _io.read_rgb(djf / "1025_color.png"),
                   "depth": _io.read_depth_png(djf / "1025_big.png", np.uint8)},
  }
