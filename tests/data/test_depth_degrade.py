"""Degradation (grid / bicubic), mod-crop, factor checks, normalisation."""

import numpy as np
import pytest

from attnup_jax.data.depth import datasets, degrade, transforms


@pytest.mark.parametrize("factor", [3, 6, 12, 0, 1, -4, 2.0, "4"])
def test_factor_not_power_of_two(factor):
  with pytest.raises(ValueError, match="factor"):
    degrade.check_factor(factor)
  with pytest.raises(ValueError, match="factor"):
    degrade.lr_by_grid(np.zeros((48, 48)), factor)


def test_grid_values():
  hr = np.arange(16 * 24, dtype=np.float32).reshape(16, 24)
  lr = degrade.lr_by_grid(hr, 8)
  np.testing.assert_array_equal(lr, [[0, 8, 16], [192, 200, 208]])
  lr4 = degrade.lr_by_grid(hr[..., None], 4)
  assert lr4.shape == (4, 6, 1) and lr4[3, 5, 0] == hr[12, 20]


def test_grid_needs_divisible_size_and_mod_crop():
  hr = np.arange(37 * 43).reshape(37, 43)
  with pytest.raises(ValueError, match="mod_crop"):
    degrade.lr_by_grid(hr, 4)
  c = degrade.mod_crop(hr, 16)
  assert c.shape == (32, 32) and c[0, 0] == 0 and c[31, 31] == hr[31, 31]
  assert degrade.lr_by_grid(c, 16).tolist() == [[0, 16], [16 * 43, 16 * 43 + 16]]


def test_bicubic_downscale():
  hr = np.full((32, 48), 1234.0, np.float32)
  lr = degrade.lr_by_bicubic(hr, 8)
  assert lr.shape == (4, 6) and lr.dtype == np.float32
  np.testing.assert_allclose(lr, 1234.0, rtol=1e-6)
  ramp = np.tile(np.arange(64, dtype=np.float32), (16, 1))   # value = column
  lr = degrade.lr_by_bicubic(ramp[..., None], 4)
  # Interior LR pixel n averages columns 4n..4n+3: a ramp gives 4n + 1.5.
  np.testing.assert_allclose(lr[2, 3:12, 0], 4 * np.arange(3, 12) + 1.5,
                             atol=1e-3)
  with pytest.raises(ValueError, match="degradation"):
    degrade.degrade_depth(hr, 8, "nearest")


def test_normalisation_round_trip_and_valid():
  mm = np.array([[0, 1000], [4000, 3830]], np.uint16)
  x = datasets.normalize(mm, "rgbdd")
  np.testing.assert_allclose(x, [[0, 0.25], [1.0, 0.9575]])
  assert x.dtype == np.float32
  np.testing.assert_allclose(datasets.denormalize(x, "rgbdd"), mm, rtol=1e-6)
  np.testing.assert_allclose(datasets.normalize(np.float32(2.5), "nyu_v2"), 0.25)
  np.testing.assert_allclose(datasets.normalize(np.uint8(51), "lu"), 0.2)
  assert transforms.valid_mask(mm).tolist() == [[False, True], [True, True]]
  rgb = np.array([[[0, 51, 255]]], np.uint8)
  np.testing.assert_allclose(transforms.rgb_to_float(rgb), [[[0, 0.2, 1]]])
  with pytest.raises(ValueError, match="unknown"):
    datasets.get_dataset("kitti")
  with pytest.raises(ValueError, match="splits"):
    datasets.get_dataset("lu", "train")
