"""BilateralAttentionUpsampler: where it starts (JBU and bicubic), offset
equivariance, gradients, input checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax.baselines import jbu_upsample
from attnup_jax.baselines.guided_filter import trusted_pixels
from attnup_jax.metrics.depth import bicubic_upsample_depth
from attnup_jax.models.depth_bilateral import BilateralAttentionUpsampler

forward = nnx.jit(lambda model, depth, guide: model(depth, guide))


def _inputs(m, h=4, batch=2, holes=False, seed=0):
  r = np.random.default_rng(seed)
  d = r.uniform(0.2, 0.6, (batch, h, h, 1)).astype(np.float32)
  if holes:
    d[r.uniform(size=d.shape) < 0.15] = 0.0
  g = r.uniform(0, 1, (batch, m * h, m * h, 3)).astype(np.float32)
  return jnp.asarray(d), jnp.asarray(g)


def _randomise(net, seed=0):
  """Random values in the zero-initialised query and last CNN_R conv, so the
  learned terms take part."""
  r = np.random.default_rng(seed)
  for p in (net.query.kernel, net.cnn_r.convs[-1].kernel, net.cnn_r.convs[-1].bias):
    p[...] = jnp.asarray(r.normal(0, 0.3, p[...].shape), jnp.float32)
  return net


def test_starts_at_the_mean_of_jbu_and_bicubic():
  net = BilateralAttentionUpsampler(
      4, features=8, guide_channels=(8, 8), refine_channels=(8,),
      refine_kernels=(3, 3), sigma_spatial=0.6, sigma_range=0.3, rngs=nnx.Rngs(0))
  d, g = _inputs(4, holes=True)
  jbu = jbu_upsample(d, g, 4, 0.6, 0.3)
  bic = bicubic_upsample_depth(d, 4, "grid")
  want = jnp.where(trusted_pixels(d, 4), (jbu + bic) / 2, jbu)
  np.testing.assert_allclose(forward(net, d, g), want, atol=1e-6)


def test_an_offset_of_the_depth_map_offsets_the_output():
  net = _randomise(BilateralAttentionUpsampler(
      8, features=8, guide_channels=(8, 8), refine_channels=(8,),
      refine_kernels=(3, 3), rngs=nnx.Rngs(1)))
  d, g = _inputs(8, seed=1)
  out = forward(net, d, g)
  moved = forward(net, d + 0.25, g)
  np.testing.assert_allclose(moved, out + 0.25, atol=2e-5)
  assert float(jnp.max(jnp.abs(out - bicubic_upsample_depth(d, 8, "grid")))) > 1e-3


def test_gradients_reach_every_parameter():
  net = _randomise(BilateralAttentionUpsampler(
      4, features=8, guide_channels=(8, 8), refine_channels=(8,),
      refine_kernels=(3, 3), rngs=nnx.Rngs(2)))
  d, g = _inputs(4, holes=True, seed=2)
  target = jnp.mean(g, -1, keepdims=True)
  grads = nnx.jit(nnx.grad(lambda m: jnp.mean((m(d, g) - target) ** 2)))(net)
  leaves = jax.tree.leaves_with_path(grads)
  assert len(leaves) == 2 + 3 * 2 + 2 + 2 * 2     # sigmas, CNN_G, q/k, CNN_R
  for path, v in leaves:
    assert bool(jnp.all(jnp.isfinite(v))), path
    assert float(jnp.max(jnp.abs(v))) > 0, jax.tree_util.keystr(path)


def test_bad_inputs_raise():
  net = BilateralAttentionUpsampler(4, features=8, guide_channels=(8,),
                                    guide_kernels=(3,), refine_channels=(8,),
                                    refine_kernels=(3, 3), rngs=nnx.Rngs(0))
  d, g = _inputs(4)
  with pytest.raises(ValueError, match="guide"):
    net(d, g[:, :12])
  with pytest.raises(ValueError, match="guide"):
    net(d, jnp.concatenate([g, g[..., :1]], -1))
  with pytest.raises(ValueError, match="factor"):
    BilateralAttentionUpsampler(3, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="kernel"):
    BilateralAttentionUpsampler(4, guide_channels=(8, 8), guide_kernels=(3,),
                                rngs=nnx.Rngs(0))
