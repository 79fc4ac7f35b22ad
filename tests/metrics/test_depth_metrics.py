"""Depth RMSE (border crop, holes), unit helpers, bicubic baseline."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax.evaluation.depth import (bicubic_predict, depth_test_set,
                                         evaluate_depth)
from attnup_jax.metrics import depth as dm


def two_images():
  """Two 14x14 maps: border 6 leaves the 2x2 centre [6:8, 6:8]."""
  gt = np.full((2, 14, 14, 1), 5.0, np.float32)
  pred = gt + 1000.0                         # huge errors on the border: cropped
  # Image 0 centre errors 1, 2, 3 and a hole (gt 0) with error 100.
  gt[0, 7, 7, 0] = 0.0
  pred[0, 6:8, 6:8, 0] = np.array([[6.0, 7.0], [8.0, 100.0]])
  # Image 1 centre errors all -2.
  pred[1, 6:8, 6:8, 0] = 3.0
  return pred, gt


def test_rmse_hand_computed():
  pred, gt = two_images()
  expected = [np.sqrt((1 + 4 + 9) / 3), 2.0]
  np.testing.assert_allclose(dm.rmse(pred, gt), expected, rtol=1e-6)
  np.testing.assert_allclose(jax.jit(dm.rmse)(jnp.asarray(pred), jnp.asarray(gt)),
                             expected, rtol=1e-6)
  # Border 5: the ring around the centre joins (error 1000, all valid).
  ring = 16 - 4
  want1 = np.sqrt((ring * 1000.0**2 + 4 * 4) / 16)
  np.testing.assert_allclose(dm.rmse(pred, gt, border=5)[1], want1, rtol=1e-6)
  # Per image on [H, W] input.
  np.testing.assert_allclose(dm.rmse(pred[1, ..., 0], gt[1, ..., 0]), 2.0)


def test_rmse_explicit_mask_and_all_holes():
  pred, gt = two_images()
  valid = gt > 0
  valid[1, 6, 6, 0] = False                  # drop one of image 1's four
  np.testing.assert_allclose(dm.rmse(pred, gt, valid)[1], 2.0)
  valid[0, 6:8, 6:8, 0] = False
  assert np.isnan(dm.rmse(pred, gt, valid)[0])           # nothing to average
  with pytest.raises(ValueError, match="border"):
    dm.rmse(pred, gt, border=7)
  with pytest.raises(ValueError, match="same shape"):
    dm.rmse(pred[:, :13], gt)


def test_units():
  gt_m = np.full((20, 20), 2.0, np.float32)
  np.testing.assert_allclose(dm.rmse_cm(gt_m + 0.03, gt_m, "m"), 3.0, rtol=1e-5)
  gt_mm = np.full((20, 20), 2000.0, np.float32)
  np.testing.assert_allclose(dm.rmse_cm(gt_mm - 30.0, gt_mm, "mm"), 3.0, rtol=1e-6)
  np.testing.assert_allclose(dm.to_centimetres(np.float32(1.5), "m"), 150.0)
  with pytest.raises(ValueError, match="units"):
    dm.to_centimetres(1.0, "level")
  gt8 = np.full((20, 20), 100 / 255, np.float32)
  np.testing.assert_allclose(
      dm.rmse_levels(gt8 + 3 / 255, gt8, normalised=True), 3.0, rtol=1e-5)


@pytest.mark.parametrize("factor", [4, 16])
def test_bicubic_grid_hits_samples(factor):
  lr = jnp.asarray(np.random.default_rng(0).random((2, 5, 7, 1)), jnp.float32)
  out = dm.bicubic_upsample_depth(lr, factor)
  assert out.shape == (2, 5 * factor, 7 * factor, 1)
  np.testing.assert_array_equal(out[:, ::factor, ::factor], lr)
  assert not np.any(out[:, -1] == 0)        # no zeroed last rows


def test_bicubic_keys_weights_by_hand():
  lr = jnp.asarray(np.random.default_rng(1).random((6, 6, 1)), jnp.float32)
  out = dm.bicubic_upsample_depth(lr, 2)
  # Halfway between samples m and m+1, Keys a=-0.5 weights are (-1, 9, 9, -1)/16.
  x = np.asarray(lr[2, :, 0])
  want = (-x[1] + 9 * x[2] + 9 * x[3] - x[4]) / 16
  np.testing.assert_allclose(out[4, 5, 0], want, rtol=1e-5)
  center = dm.bicubic_upsample_depth(lr, 4, align="center")
  np.testing.assert_array_equal(center, jax.image.resize(lr, (24, 24, 1), "cubic"))
  const = dm.bicubic_upsample_depth(jnp.full((3, 4, 1), 7.5, jnp.float32), 8)
  np.testing.assert_allclose(const, 7.5, rtol=1e-6)
  with pytest.raises(ValueError, match="factor"):
    dm.bicubic_upsample_depth(lr, 3)


def test_evaluate_depth_oracle_and_bicubic():
  try:
    pairs = depth_test_set("nyu_samples", 16)
  except (FileNotFoundError, ValueError) as e:
    pytest.skip(f"NYU samples not available: {e}")

  def truth(depth_lr, guide):   # the ground truth of each input, normalised
    return np.stack([next(p["depth_hr"] / p["scale"] for p in pairs
                          if np.array_equal(p["depth_lr"], d)) for d in depth_lr])

  oracle = evaluate_depth(truth, pairs)
  assert oracle["num_images"] == 3 and oracle["units"] == "cm"
  assert oracle["rmse"] < 1e-4 and oracle["loss"] < 1e-10
  res = evaluate_depth(bicubic_predict(16), pairs)
  assert 1.0 < res["rmse"] < 50.0            # centimetres, not metres or mm
  # Batching equal sizes changes nothing.
  one = evaluate_depth(bicubic_predict(16), pairs, batch_size=1)
  assert one["per_image"] == pytest.approx(res["per_image"], rel=1e-6)