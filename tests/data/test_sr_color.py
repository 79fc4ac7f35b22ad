"""BT.601 colour conversion as MATLAB rgb2ycbcr / ycbcr2rgb."""

import numpy as np
import pytest

from attnup_jax.data.sr import color


def test_known_values_uint8():
  rgb = np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0], [128, 128, 128]], np.uint8)
  ycc = color.rgb_to_ycbcr(rgb)
  assert ycc.dtype == np.uint8
  # white -> 235, black -> 16; red: 16 + 65.481 = 81.48, Cb 128 - 37.797, Cr 240.
  np.testing.assert_array_equal(ycc, [[235, 128, 128], [16, 128, 128],
                                      [81, 90, 240], [126, 128, 128]])
  np.testing.assert_array_equal(color.rgb_to_y(rgb), [235, 16, 81, 126])


def test_known_values_float():
  y = color.rgb_to_y(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
  np.testing.assert_allclose(y * 255, [235.0, 16.0, 16 + 128.553])


def test_round_trip(rng):
  rgb = rng.uniform(0, 1, (5, 7, 3))
  np.testing.assert_allclose(color.ycbcr_to_rgb(color.rgb_to_ycbcr(rgb)), rgb, atol=1e-12)
  u8 = rng.integers(0, 256, (50, 3), dtype=np.uint8)
  back = color.ycbcr_to_rgb(color.rgb_to_ycbcr(u8)).astype(int)
  assert np.abs(back - u8).max() <= 3  # 8-bit YCbCr has fewer levels


def test_evaluation_channel():
  grey = np.array([[0, 100], [200, 255]], np.uint8)
  np.testing.assert_array_equal(color.evaluation_channel(grey[..., None]), grey)
  rgb = np.repeat(grey[..., None], 3, axis=-1)
  np.testing.assert_array_equal(color.evaluation_channel(rgb), [[16, 102], [188, 235]])
  with pytest.raises(ValueError, match="uint8"):
    color.evaluation_channel(rgb / 255.0)
  with pytest.raises(ValueError, match="shape|\\[H, W"):
    color.rgb_to_ycbcr(np.zeros((2, 2, 4)))
