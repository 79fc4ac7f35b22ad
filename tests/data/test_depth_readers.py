"""Depth dataset readers: NYU .mat layout (MATLAB v7.3), NYU samples, RGB-D-D split, Lu pairs."""

import h5py
import numpy as np
import pytest

from attnup_jax.data.depth import lu, nyu, rgbdd

H, W = 6, 8     # tiny, and H != W so a missed transpose changes the shape


def write_nyu_mat(path, n=nyu.NYU_NUM_IMAGES, seed=0):
  """A small nyu_depth_v2_labeled.mat as MATLAB -v7.3 writes it.

  MATLAB arrays images [H, W, 3, N] and depths [H, W, N] are column-major; in
  HDF5 their axes appear reversed: [N, 3, W, H] and [N, W, H].
  Returns the MATLAB-order arrays.
  """
  rng = np.random.default_rng(seed)
  images = rng.integers(0, 256, (H, W, 3, n), dtype=np.uint8)   # MATLAB order
  depths = rng.uniform(0.5, 10.0, (H, W, n)).astype(np.float32)
  with h5py.File(path, "w", userblock_size=512) as f:
    f.create_dataset("images", data=images.T)      # .T reverses all axes
    f.create_dataset("depths", data=depths.T)
    f["images"].attrs["MATLAB_class"] = np.bytes_("uint8")
    f["depths"].attrs["MATLAB_class"] = np.bytes_("single")
  with open(path, "r+b") as f:                     # the MATLAB text header
    f.write(b"MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .")
  return images, depths


@pytest.fixture(scope="module")
def nyu_mat(tmp_path_factory):
  path = tmp_path_factory.mktemp("nyu") / nyu.NYU_FILENAME
  images, depths = write_nyu_mat(path)
  return path, images, depths


def test_nyu_mat_layout_is_reversed_in_hdf5(nyu_mat):
  path, _, _ = nyu_mat
  with h5py.File(path, "r") as f:
    assert f["images"].shape == (1449, 3, W, H)
    assert f["depths"].shape == (1449, W, H)


def test_nyu_reader_transposes_back(nyu_mat):
  path, images, depths = nyu_mat
  train, test = nyu.NYULabeled("train", path), nyu.NYULabeled("test", path)
  val = nyu.NYULabeled("val", path)
  assert (len(train), len(val), len(test)) == (925, 75, 449)
  r = test[3]                                   # labeled-set index 1003
  assert r["id"] == "1003"
  assert r["rgb"].shape == (H, W, 3) and r["rgb"].dtype == np.uint8
  assert r["depth"].shape == (H, W) and r["depth"].dtype == np.float32
  np.testing.assert_array_equal(r["rgb"], images[:, :, :, 1003])
  np.testing.assert_array_equal(r["depth"], depths[:, :, 1003])
  # One pixel by hand: MATLAB images(2, 6, 3, 1004) is row 1, column 5, blue.
  with h5py.File(path, "r") as f:
    assert r["rgb"][1, 5, 2] == f["images"][1003, 2, 5, 1]
  np.testing.assert_array_equal(train[0]["depth"], depths[:, :, 0])


def test_nyu_errors(nyu_mat, tmp_path):
  path, _, _ = nyu_mat
  with pytest.raises(ValueError, match="split"):
    nyu.NYULabeled("validation", path)
  with pytest.raises(FileNotFoundError, match="horatio.cs.nyu.edu"):
    nyu.nyu_mat_path(tmp_path)
  small = tmp_path / "small.mat"
  write_nyu_mat(small, n=10)
  with pytest.raises(ValueError, match="1449"):
    nyu.NYULabeled("train", small)


def test_nyu_samples():
  s = nyu.NYUSamples()
  assert [s[i]["id"] for i in range(len(s))] == ["1000", "1001", "1002"]
  r = s[0]
  assert r["rgb"].shape == (480, 640, 3) and r["rgb"].dtype == np.uint8
  assert r["depth"].shape == (480, 640) and r["depth"].dtype == np.float32
  assert 0.5 < r["depth"].min() < r["depth"].max() < 10.0        # metres
  # DKN's test image 0 is index 1000, depth min-max scaled to 0-255.
  dkn = nyu.read_nyu_8bit_samples()["dkn_test0"]
  d = r["depth"]
  expected = 255 * (d - d.min()) / (d.max() - d.min())
  assert np.abs(dkn["depth"] - expected).max() <= 1.0
  assert dkn["rgb"].shape == (480, 640, 3)


def test_rgbdd_split():
  train, val, test = (rgbdd.rgbdd_ids(s) for s in ("train", "val", "test"))
  assert (len(train), len(val), len(test)) == (300, 24, 81)
  assert max(train) < min(val) and max(val) < min(test)   # contiguous, sorted
  assert train + val == rgbdd.rgbdd_ids("trainval")
  assert train + val + test == rgbdd.rgbdd_ids("all") == sorted(train + val + test)
  r = rgbdd.RGBDD("test")[0]
  assert r["id"] == test[0]
  assert r["rgb"].shape == (384, 512, 3) and r["rgb"].dtype == np.uint8
  assert r["depth"].shape == (384, 512) and r["depth"].dtype == np.uint16
  assert 300 < np.median(r["depth"]) < 5000     # millimetres


def test_lu_pairs_and_misspelling():
  pairs = lu.lu_pairs()
  assert len(pairs) == lu.LU_NUM_IMAGES == 45
  assert sum("_ouput_color" in c.name for _, c, _ in pairs) == 6
  src = lu.LuDepthEnh()
  ids = [k for k, _, _ in pairs]
  r = src[ids.index("RGBD_01")]
  assert r["rgb"].shape == (480, 640, 3) and r["depth"].shape == (480, 640)
  assert r["depth"].dtype == np.uint8
  with pytest.raises(ValueError, match="test"):
    lu.LuDepthEnh("train")
