"""MATLAB-compatible bicubic imresize: hand-computed values, MATLAB properties,
and a plain-loop independent implementation of the antialiased cubic kernel."""

import math

import numpy as np
import pytest

from attnup_jax.data.sr.imresize import cubic, imresize, resize_matrix


def keys_cubic(x):
  x = abs(x)
  if x <= 1:
    return 1.5 * x**3 - 2.5 * x**2 + 1
  if x <= 2:
    return -0.5 * x**3 + 2.5 * x**2 - 4 * x + 2
  return 0.0


def loop_resize_1d(v, out_len, scale):
  """Plain-loop MATLAB resampling of a 1-D signal (independent of resize_matrix)."""
  n = len(v)
  aa = scale < 1
  half = 2.0 / scale if aa else 2.0
  out = []
  for x in range(1, out_len + 1):
    u = x / scale + 0.5 * (1 - 1 / scale)
    acc, wsum = 0.0, 0.0
    for j in range(math.floor(u - half) - 1, math.ceil(u + half) + 2):
      w = scale * keys_cubic(scale * (u - j)) if aa else keys_cubic(u - j)
      # symmetric mirror of 1-based j into 1..n (edge repeated)
      k = (j - 1) % (2 * n)
      k = k if k < n else 2 * n - 1 - k
      acc += w * v[k]
      wsum += w
    out.append(acc / wsum)
  return np.array(out)


def loop_imresize(img, scale, out_shape):
  h, w = img.shape
  (sy, sx), (oh, ow) = scale, out_shape
  first = np.stack([loop_resize_1d(img[:, c], oh, sy) for c in range(w)], axis=1)
  return np.stack([loop_resize_1d(first[r], ow, sx) for r in range(oh)], axis=0)


def test_cubic_kernel_values():
  np.testing.assert_allclose(
      cubic(np.array([0.0, 0.25, 0.75, 1.0, 1.25, 1.75, 2.0, 2.5])),
      [1.0, 0.8671875, 0.2265625, 0.0, -0.0703125, -0.0234375, 0.0, 0.0])


def test_upscale_x2_hand_computed():
  # Column [a, b] = [0, 1] upscaled by 2: output x samples u = x/2 + 1/4, e.g.
  # out[1] = (c(1.75) + c(1.25)) b + (c(0.75) + c(0.25)) a with the mirrored taps.
  out = imresize(np.array([[0.0], [1.0]]), 2)
  assert out.shape == (4, 2)
  np.testing.assert_allclose(out[:, 0], [-0.09375, 0.203125, 0.796875, 1.09375])
  np.testing.assert_allclose(out[:, 1], out[:, 0])


def test_downscale_half_hand_computed():
  # Rows 1, 2, 3, 4 (constant along columns) downscaled by 1/2: the antialiased
  # kernel 0.5 * cubic(x / 2), mirrored at both ends.
  img = np.repeat(np.arange(1.0, 5.0)[:, None], 4, axis=1)
  out = imresize(img, 0.5)
  assert out.shape == (2, 2)
  np.testing.assert_allclose(out, [[1.4609375] * 2, [3.5390625] * 2])


def test_half_scale_interior_taps_are_matlab_kernel():
  m = resize_matrix(32, 16, 0.5)  # output 9 (1-based) centres on input 17.5
  np.testing.assert_allclose(
      m[8, 13:21], [-0.01171875, -0.03515625, 0.11328125, 0.43359375,
                    0.43359375, 0.11328125, -0.03515625, -0.01171875])
  np.testing.assert_allclose(m.sum(axis=1), 1.0)


@pytest.mark.parametrize("shape,scale", [
    ((7, 9), 0.5), ((13, 11), 0.25), ((17, 12), 0.125), ((10, 9), 0.9),
    ((10, 9), 0.6), ((5, 4), 2), ((4, 5), 3), ((3, 4), 4), ((3, 3), 8)])
def test_matches_plain_loop(shape, scale, rng):
  img = rng.uniform(0, 1, shape)
  out = imresize(img, scale)
  oh, ow = math.ceil(scale * shape[0]), math.ceil(scale * shape[1])
  assert out.shape == (oh, ow)
  np.testing.assert_allclose(out, loop_imresize(img, (scale, scale), (oh, ow)),
                             atol=1e-12)


def test_output_shape_and_colour_channels(rng):
  img = rng.uniform(0, 1, (12, 10, 3))
  out = imresize(img, output_shape=(5, 7))  # scales 5/12 and 7/10, rows first
  assert out.shape == (5, 7, 3)
  ref = loop_imresize(img[..., 1], (5 / 12, 7 / 10), (5, 7))
  np.testing.assert_allclose(out[..., 1], ref, atol=1e-12)


def test_matlab_output_size_uses_ceil():
  assert imresize(np.zeros((197, 176)), 0.9).shape == (178, 159)
  assert imresize(np.zeros((255, 101)), 0.5).shape == (128, 51)


def test_constant_image_stays_constant():
  np.testing.assert_allclose(imresize(np.full((9, 13), 0.3), 0.7), 0.3, atol=1e-12)
  np.testing.assert_allclose(imresize(np.full((9, 13), 0.3), 3), 0.3, atol=1e-12)
  u8 = imresize(np.full((9, 13, 3), 77, np.uint8), 0.5)
  assert u8.dtype == np.uint8 and np.all(u8 == 77)


def test_uint8_rounds_after_each_pass(rng):
  img = rng.integers(0, 256, (16, 16), dtype=np.uint8)
  q = lambda x: np.clip(np.floor(x + 0.5), 0, 255)
  rows = q(resize_matrix(16, 8, 0.5) @ img.astype(np.float64))
  want = q(rows @ resize_matrix(16, 8, 0.5).T)
  out = imresize(img, 0.5)
  assert out.dtype == np.uint8
  np.testing.assert_array_equal(out, want)


def test_bad_arguments():
  with pytest.raises(ValueError, match="shape"):
    imresize(np.zeros((2, 2, 2, 2)), 0.5)
  with pytest.raises(ValueError, match="scale"):
    imresize(np.zeros((4, 4)))
