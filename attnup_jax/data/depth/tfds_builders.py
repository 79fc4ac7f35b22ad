"""TensorFlow-free TFDS builders (ArrayRecord) for the depth datasets.

Features are `tfds.features.Tensor` only (the Image feature needs TensorFlow):

    id     Text
    rgb    Tensor [H, W, 3] uint8            (zlib-encoded, any size)
    depth  Tensor [H, W] in native units     float32 m (NYU), uint16 mm
                                             (RGB-D-D), uint8 0-255 (Lu)

Build and read back without TensorFlow:

    build_depth_tfds('rgbdd', tfds_dir)                 # prepares ArrayRecords
    src = tfds.data_source('attnup_rgbdd', data_dir=tfds_dir, split='train')
    src[0]['depth']                                      # [384, 512] uint16

Sources come from the TFDS manual dir: for NYU the folder holding
`nyu_depth_v2_labeled.mat` (download it from `nyu.NYU_URL`); for RGB-D-D and
Lu the `depth/RGBDD` / `depth/Lu_DepthEnh` folders themselves
(`build_depth_tfds` defaults to those of the attnup data root).
"""

from __future__ import annotations

import os

from etils import epath
import numpy as np
import tensorflow_datasets as tfds

from attnup_jax.data import paths
from attnup_jax.data.depth import lu, nyu, rgbdd


def _features(depth_dtype) -> tfds.features.FeaturesDict:
  return tfds.features.FeaturesDict({
      "id": tfds.features.Text(),
      "rgb": tfds.features.Tensor(shape=(None, None, 3), dtype=np.uint8,
                                  encoding="zlib"),
      "depth": tfds.features.Tensor(shape=(None, None), dtype=depth_dtype,
                                    encoding="zlib"),
  })


class _DepthBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
  """Shared: ArrayRecord output, and the source folder taken from the manual dir."""
  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Initial release."}
  _DEPTH_DTYPE = np.float32
  _DESCRIPTION = ""
  _HOMEPAGE = ""
  _URL = None

  @tfds.core.utils.classproperty
  @classmethod
  def code_path(cls) -> epath.Path:
    """This file. TFDS's own lookup touches `importlib_resources`, which TFDS
    only declares for Python < 3.9 and which is absent on a TF-free install."""
    return epath.Path(__file__)

  def __init__(self, **kwargs):
    kwargs.setdefault("file_format", "array_record")
    super().__init__(**kwargs)

  def _info(self) -> tfds.core.DatasetInfo:
    metadata = (tfds.core.MetadataDict(download_url=self._URL) if self._URL
                else None)
    return self.dataset_info_from_configs(
        description=self._DESCRIPTION, features=_features(self._DEPTH_DTYPE),
        homepage=self._HOMEPAGE, metadata=metadata)

  def _source_dir(self, dl_manager, *parts: str):
    """The manual dir, else `<attnup data root>/parts...` when it is absent."""
    try:
      return dl_manager.manual_dir
    except AssertionError:
      return paths.dataset_dir(*parts)

  def _generate_examples(self, source):
    """Yields `(id, {'id', 'rgb', 'depth'})` from a random-access reader."""
    for i in range(len(source)):
      r = source[i]
      yield r["id"], r


class AttnupNyuDepthV2(_DepthBuilder):
  """NYU Depth v2 labeled set: 1000 train / 449 test, depth in metres."""
  _DEPTH_DTYPE = np.float32
  _URL = nyu.NYU_URL
  _HOMEPAGE = "https://cs.nyu.edu/~fergus/datasets/nyu_depth_v2.html"
  _DESCRIPTION = ("NYU Depth v2 labeled set (Silberman et al., ECCV 2012): RGB "
                  "[480, 640, 3] uint8 and in-painted depth [480, 640] float32 "
                  "metres. Split: first 1000 train, last 449 test. Source: "
                  f"{nyu.NYU_URL}")
  MANUAL_DOWNLOAD_INSTRUCTIONS = (
      f"Download {nyu.NYU_URL} (2.8 GB) and place nyu_depth_v2_labeled.mat in "
      "the manual dir.")

  def _split_generators(self, dl_manager):
    mat = nyu.nyu_mat_path(dl_manager.manual_dir)
    return {s: self._generate_examples(nyu.NYULabeled(s, mat))
            for s in ("train", "val", "test")}


class AttnupRgbdd(_DepthBuilder):
  """RGB-D-D pairs: 300 train / 24 val / 81 test, depth uint16 millimetres."""
  _DEPTH_DTYPE = np.uint16
  _HOMEPAGE = "https://github.com/lingzhi96/RGB-D-D-Dataset"
  _DESCRIPTION = ("RGB-D-D (He et al., CVPR 2021) real pairs: RGB [384, 512, 3] "
                  "uint8, depth [384, 512] uint16 mm (0 = hole). Project split: "
                  "sorted ids, first 300 train, next 24 val, last 81 test.")
  MANUAL_DOWNLOAD_INSTRUCTIONS = (
      "Manual dir: the RGB-D-D folder holding RGB/<id>_RGB.jpg and "
      "Depth/<id>_HR_gt.png (default: <attnup data root>/depth/RGBDD).")

  def _split_generators(self, dl_manager):
    root = self._source_dir(dl_manager, "depth", "RGBDD")
    return {s: self._generate_examples(rgbdd.RGBDD(s, root))
            for s in ("train", "val", "test")}


class AttnupLuDepthEnh(_DepthBuilder):
  """Lu_DepthEnh: 45 test pairs (Middlebury, RGBZ, Lu), 8-bit depth."""
  _DEPTH_DTYPE = np.uint8
  _HOMEPAGE = "https://github.com/cvlab-yonsei/dkn"
  _DESCRIPTION = ("Middlebury (30), RGBZ (9) and Lu (6) colour/depth test pairs "
                  "as used by DKN/FDKN: RGB [H, W, 3] uint8, depth [H, W] uint8 "
                  "on the 0-255 scale (0 = hole). Test split only.")
  MANUAL_DOWNLOAD_INSTRUCTIONS = (
      "Manual dir: the Lu_DepthEnh folder holding <set>/<name>_output_depth.png "
      "(default: <attnup data root>/depth/Lu_DepthEnh).")

  def _split_generators(self, dl_manager):
    root = self._source_dir(dl_manager, "depth", "Lu_DepthEnh")
    return {"test": self._generate_examples(lu.LuDepthEnh("test", root))}


BUILDERS = {"nyu_v2": AttnupNyuDepthV2, "rgbdd": AttnupRgbdd,
            "lu": AttnupLuDepthEnh}


def build_depth_tfds(name: str, tfds_dir: str | os.PathLike,
                     source_dir: str | os.PathLike | None = None,
                     max_examples_per_split: int | None = None):
  """Builds dataset `name` ('nyu_v2' | 'rgbdd' | 'lu') into `tfds_dir`.

  Args:
    name: dataset key.
    tfds_dir: TFDS data_dir that receives `<builder>/1.0.0/*.array_record*`.
    source_dir: manual dir: for NYU the folder holding the .mat; for the others
      the `depth/RGBDD` / `depth/Lu_DepthEnh` folder (default: from the
      attnup data root, `$ATTNUP_DATA_DIR`).
    max_examples_per_split: build only the first N examples of each split
      (quick checks).

  Returns:
    The prepared builder (`builder.as_data_source()` reads it back).
  """
  if name not in BUILDERS:
    raise ValueError(f"no TFDS builder for {name!r}; one of {sorted(BUILDERS)}.")
  if source_dir is None:
    source_dir = (nyu.nyu_mat_path().parent if name == "nyu_v2" else
                  paths.dataset_dir("depth", {"rgbdd": "RGBDD",
                                              "lu": "Lu_DepthEnh"}[name]))
  builder = BUILDERS[name](data_dir=os.fspath(tfds_dir))
  builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
      manual_dir=os.fspath(source_dir),
      max_examples_per_split=max_examples_per_split))
  return builder
