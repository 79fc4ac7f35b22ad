"""zero_upsample, bilinear_upsample and extract_patches against hand-computed values."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax import ops


def test_zero_upsample_places_values_on_the_stride_grid(rng):
  x = jnp.asarray(rng.normal(size=(2, 3, 4, 5)), jnp.float32)
  for s in (1, 2, 3):
    up = np.asarray(ops.zero_upsample(x, s))
    assert up.shape == (2, 3 * s, 4 * s, 5)
    np.testing.assert_array_equal(up[:, ::s, ::s], x)
    mask = np.ones(up.shape, bool)
    mask[:, ::s, ::s] = False
    assert np.all(up[mask] == 0)


def test_zero_upsample_hand_example():
  x = jnp.arange(1.0, 5.0).reshape(2, 2, 1)
  np.testing.assert_array_equal(ops.zero_upsample(x, 2)[..., 0], [
      [1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])


@pytest.mark.parametrize("s", [1, 2, 3, 4])
def test_bilinear_equals_jax_image_resize(rng, s):
  x = jnp.asarray(rng.normal(size=(3, 5, 7, 2)), jnp.float32)
  want = jax.image.resize(x, (3, 5 * s, 7 * s, 2), "bilinear")
  np.testing.assert_allclose(ops.bilinear_upsample(x, s), want, atol=2e-6)


def test_bilinear_hand_computed_half_pixel_centres():
  # 1-D row [0, 4] upsampled x2 with half-pixel centres and clamped edges:
  # samples at -0.25, 0.25, 0.75, 1.25 -> 0, 1, 3, 4.
  x = jnp.asarray([[0.0, 4.0]]).reshape(1, 2, 1)
  np.testing.assert_allclose(ops.bilinear_upsample(x, 2)[0, :, 0], [0, 1, 3, 4])
  # x4: samples at -0.375, -0.125, 0.125, 0.375, ... -> 0, 0, .5, 1.5, 2.5, 3.5, 4, 4.
  np.testing.assert_allclose(ops.bilinear_upsample(x, 4)[0, :, 0],
                             [0, 0, 0.5, 1.5, 2.5, 3.5, 4, 4])


def test_extract_patches_matches_loop(rng):
  x = rng.normal(size=(4, 5, 2)).astype(np.float32)
  k, r = 3, 1
  got = np.asarray(ops.extract_patches(jnp.asarray(x), k))
  assert got.shape == (4, 5, 9, 2)
  for i in range(4):
    for j in range(5):
      for ky in range(k):
        for kx in range(k):
          a, b = i + ky - r, j + kx - r
          want = x[a, b] if 0 <= a < 4 and 0 <= b < 5 else 0.0
          np.testing.assert_array_equal(got[i, j, ky * k + kx], want)


def test_extract_patches_batched(rng):
  x = jnp.asarray(rng.normal(size=(2, 4, 4, 3)), jnp.float32)
  np.testing.assert_array_equal(ops.extract_patches(x, 5)[1],
                                ops.extract_patches(x[1], 5))
