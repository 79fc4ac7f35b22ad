"""The sample images shipped in the package: loadable, byte-identical to the
download table's files, and packaged (pyproject's package-data)."""

import doctest
import glob
import pathlib
import tomllib

import numpy as np
import pytest

from attnup_jax import samples
from attnup_jax.data import download

ROOT = pathlib.Path(__file__).parents[1]
SAMPLE_FILES = sorted(p for p in samples.DATA_DIR.rglob("*")
                      if p.is_file() and p.suffix in (".png", ".jpg"))


def test_set5():
  images = samples.set5()
  assert list(images) == ["baby", "bird", "butterfly", "head", "woman"]
  shapes = {n: im.shape for n, im in images.items()}
  assert shapes == {"baby": (512, 512, 3), "bird": (288, 288, 3),
                    "butterfly": (256, 256, 3), "head": (280, 280, 3),
                    "woman": (344, 228, 3)}
  assert all(im.dtype == np.uint8 and 0 < im.mean() < 255 for im in images.values())


def test_rgbdd_pair():
  pair = samples.rgbdd_pair()
  assert pair["rgb"].shape == (384, 512, 3) and pair["rgb"].dtype == np.uint8
  depth = pair["depth"]
  assert depth.shape == (384, 512) and depth.dtype == np.uint16
  assert (pair["units"], pair["scale"]) == ("mm", 4000.0)
  assert 500 < depth.min() and depth.max() < 4000     # 0.9 m to 2.0 m, no holes


def test_rgbdd_pair_is_the_first_test_pair_of_the_dataset():
  from attnup_jax.data.depth.rgbdd import RGBDD
  try:
    record = RGBDD("test")[0]
  except FileNotFoundError:
    pytest.skip("no RGB-D-D data on this machine")
  pair = samples.rgbdd_pair()
  assert record["id"] == pair["id"]
  np.testing.assert_array_equal(record["rgb"], pair["rgb"])
  np.testing.assert_array_equal(record["depth"], pair["depth"])


def test_samples_are_the_download_tables_files():
  table = {**download.files("set5"), **download.files("rgbdd")}
  assert len(SAMPLE_FILES) == 7
  for path in SAMPLE_FILES:
    rel = path.relative_to(samples.DATA_DIR).as_posix()
    assert download.sha256(path) == table[rel], rel


def test_samples_are_package_data():
  """Every sample file (and the checksum table) matches a package-data
  pattern, expanded as setuptools does (glob relative to the package)."""
  config = tomllib.loads((ROOT / "pyproject.toml").read_text())
  patterns = config["tool"]["setuptools"]["package-data"]["attnup_jax"]
  package = ROOT / "attnup_jax"
  matched = {pathlib.Path(p) for pattern in patterns
             for p in glob.glob(str(package / pattern), recursive=True)}
  needed = [*SAMPLE_FILES, samples.DATA_DIR / "README.md", download.MANIFEST]
  assert not [p for p in needed if p not in matched]


def test_docstring_example():
  result = doctest.testmod(samples, optionflags=doctest.ELLIPSIS)
  assert result.failed == 0 and result.attempted > 0
