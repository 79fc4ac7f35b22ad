"""BilateralAttentionUpsampler: where it starts (JBU), what its logit
corrections do, the space-to-depth layout, offset equivariance, gradients,
input checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax.baselines import jbu_upsample
from attnup_jax.models.depth_bilateral import (BilateralAttentionUpsampler, cells,
                                               uncells)

forward = nnx.jit(lambda model, depth, guide: model(depth, guide))
SMALL = dict(channels=(8, 8))


def _inputs(m, h=4, batch=2, holes=False, seed=0):
  r = np.random.default_rng(seed)
  d = r.uniform(0.2, 0.6, (batch, h, h, 1)).astype(np.float32)
  if holes:
    d[r.uniform(size=d.shape) < 0.15] = 0.0
  g = r.uniform(0, 1, (batch, m * h, m * h, 3)).astype(np.float32)
  return jnp.asarray(d), jnp.asarray(g)


def _randomise(net, seed=0, scale=0.3):
  """Random values in the zero-initialised head, so the learned terms take part."""
  r = np.random.default_rng(seed)
  for p in (net.head.convs[-1].kernel, net.head.convs[-1].bias):
    p[...] = jnp.asarray(r.normal(0, scale, p[...].shape), jnp.float32)
  return net


def test_cells_stack_each_lr_cells_pixels_as_channels():
  m, c = 4, 3
  x = np.random.default_rng(0).normal(size=(2, 3 * m, 2 * m, c)).astype(np.float32)
  z = np.asarray(cells(jnp.asarray(x), m))
  assert z.shape == (2, 3, 2, m * m * c)
  for i in range(3):
    for j in range(2):
      for ry in range(m):
        for rx in range(m):
          np.testing.assert_array_equal(
              z[:, i, j, (ry * m + rx) * c:(ry * m + rx + 1) * c],
              x[:, m * i + ry, m * j + rx])
  back = uncells(jnp.asarray(z), m)                       # [B, h, M, w, M, C]
  np.testing.assert_array_equal(np.asarray(back).reshape(x.shape), x)


@pytest.mark.parametrize("m", [4, 16])
def test_starts_as_joint_bilateral_upsampling(m):
  net = BilateralAttentionUpsampler(m, **SMALL, sigma_spatial=0.6,
                                    sigma_range=0.3, rngs=nnx.Rngs(0))
  d, g = _inputs(m, holes=True)
  np.testing.assert_allclose(forward(net, d, g), jbu_upsample(d, g, m, 0.6, 0.3),
                             atol=1e-6)


def test_a_large_logit_correction_selects_that_sample():
  """Head bias +50 on window sample t = 5 (offsets (0, 0): the cell's own LR
  sample) for every HR pixel: each HR pixel copies its cell's sample."""
  m = 4
  net = BilateralAttentionUpsampler(m, **SMALL, rngs=nnx.Rngs(0))
  bias = np.zeros(net.head.convs[-1].bias[...].shape, np.float32)
  bias[5::17] = 50.0
  net.head.convs[-1].bias[...] = jnp.asarray(bias)
  d, g = _inputs(m)
  want = jnp.repeat(jnp.repeat(d, m, 1), m, 2)
  np.testing.assert_allclose(forward(net, d, g), want, atol=1e-5)


def test_an_offset_of_the_depth_map_offsets_the_output():
  net = _randomise(BilateralAttentionUpsampler(8, **SMALL, rngs=nnx.Rngs(1)))
  d, g = _inputs(8, seed=1)
  out = forward(net, d, g)
  moved = forward(net, d + 0.25, g)
  np.testing.assert_allclose(moved, out + 0.25, atol=2e-5)
  assert float(jnp.max(jnp.abs(out - jbu_upsample(d, g, 8, 0.5, 0.4)))) > 1e-3


def test_gradients_reach_every_parameter():
  net = _randomise(BilateralAttentionUpsampler(4, **SMALL, rngs=nnx.Rngs(2)))
  d, g = _inputs(4, holes=True, seed=2)
  target = jnp.mean(g, -1, keepdims=True)
  grads = nnx.jit(nnx.grad(lambda m: jnp.mean((m(d, g) - target) ** 2)))(net)
  leaves = jax.tree.leaves_with_path(grads)
  assert len(leaves) == 2 + 2 * 2 + 2                 # sigmas, CNN_C, head
  for path, v in leaves:
    assert bool(jnp.all(jnp.isfinite(v))), path
    assert float(jnp.max(jnp.abs(v))) > 0, jax.tree_util.keystr(path)


def test_head_kernel_defaults_to_3_then_1_above_x8():
  assert BilateralAttentionUpsampler(8, **SMALL, rngs=nnx.Rngs(0)).head.convs[0] \
      .kernel[...].shape == (3, 3, 8, 64 * 17)
  assert BilateralAttentionUpsampler(16, **SMALL, rngs=nnx.Rngs(0)).head.convs[0] \
      .kernel[...].shape == (1, 1, 8, 256 * 17)


def test_bad_inputs_raise():
  net = BilateralAttentionUpsampler(4, **SMALL, rngs=nnx.Rngs(0))
  d, g = _inputs(4)
  with pytest.raises(ValueError, match="guide"):
    net(d, g[:, :12])
  with pytest.raises(ValueError, match="guide"):
    net(d, jnp.concatenate([g, g[..., :1]], -1))
  with pytest.raises(ValueError, match="factor"):
    BilateralAttentionUpsampler(3, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="head_kernel"):
    BilateralAttentionUpsampler(4, head_kernel=2, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="positive"):
    BilateralAttentionUpsampler(4, sigma_range=0.0, rngs=nnx.Rngs(0))


def test_returned_weights_are_the_softmax_that_made_the_output():
  """Weights sum to 1 over the valid samples; with the residual channels of
  the head at 0, the output is the weighted mean of the window's samples."""
  net = _randomise(BilateralAttentionUpsampler(4, **SMALL, rngs=nnx.Rngs(3)), seed=3)
  conv = net.head.convs[-1]
  residual = np.arange(conv.bias[...].shape[0]) % 17 == 16
  conv.kernel[...] = jnp.where(residual, 0.0, conv.kernel[...])
  conv.bias[...] = jnp.where(residual, 0.0, conv.bias[...])
  d, g = _inputs(4, holes=True, seed=3)
  out, w = nnx.jit(lambda n, d, g: n(d, g, return_weights=True))(net, d, g)
  assert w.shape == (2, 16, 16, 16)
  np.testing.assert_allclose(out, forward(net, d, g), atol=1e-6)
  sums = np.asarray(w.sum(-1))
  assert np.all((np.abs(sums - 1) < 1e-5) | (sums == 0)) and (sums > 0).mean() > 0.9
  r = np.random.default_rng(0)
  dn = np.pad(np.asarray(d)[..., 0], [(0, 0), (1, 2), (1, 2)])  # OFFSETS -1..2
  for b, y, x in zip(r.integers(2, size=20), r.integers(16, size=20),
                     r.integers(16, size=20)):
    if sums[b, y, x] == 0:
      continue
    window = dn[b, y // 4:y // 4 + 4, x // 4:x // 4 + 4].reshape(16)
    np.testing.assert_allclose(out[b, y, x, 0], w[b, y, x] @ window, atol=1e-5)
