"""Depth joint-upsampling models (SPEC Sec. 4, paper Table I): shapes, exact
parameter counts, input errors, gradients, jit, residual path.

Shape and parameter tests trace abstractly (`nnx.eval_shape`), so no weights
are allocated. Models that run get random weights from NumPy (`materialize`:
eager initialisation compiles one XLA program per parameter shape, which is
slow on a shared CPU) and run under `nnx.jit` only, to keep the file < 60 s.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax.metrics.depth import bicubic_upsample_depth
from attnup_jax.models.depth import JointAttentionUpsampler, avg_pool
from attnup_jax.models import count_params
from attnup_jax.models.presets import (DEPTH_MODELS, build_depth_model,
                                       depth_model_params)
from attnup_jax.models.djf import DeepJointFilter

HR = 64


def conv(cin, cout, k):
  """Parameters of a k x k convolution with bias."""
  return k * k * cin * cout + cout


def inputs(factor, hr=HR, batch=2, seed=0):
  r = np.random.default_rng(seed)
  depth = r.uniform(0.1, 1.0, (batch, hr // factor, hr // factor, 1))
  guide = r.uniform(0.0, 1.0, (batch, hr, hr, 3))
  return jnp.asarray(depth, jnp.float32), jnp.asarray(guide, jnp.float32)


@pytest.mark.parametrize("factor", [4, 8, 16])
@pytest.mark.parametrize("name", sorted(DEPTH_MODELS))
def test_output_shape(name, factor):
  depth, guide = inputs(factor)
  out = nnx.eval_shape(
      lambda: build_depth_model(name, factor, rngs=nnx.Rngs(0))(depth, guide))
  chex.assert_shape(out, (2, HR, HR, 1))
  chex.assert_type(out, jnp.float32)


def test_djf_param_count_formula():
  branch = lambda cin, c: conv(cin, c[0], 9) + conv(c[0], c[1], 1) + conv(c[1], c[2], 5)
  fuse = lambda cin, c: conv(cin, c[0], 9) + conv(c[0], c[1], 1) + conv(c[1], 1, 5)
  for name, tg, f in [("djf", (96, 48, 1), (64, 32)),
                      ("djf_plus", (512, 256, 1), (384, 192)),
                      ("djf_scaled_plus", (384, 192, 1), (288, 144))]:
    expected = branch(1, tg) + branch(3, tg) + fuse(2, f)
    for factor in (4, 8, 16):
      assert depth_model_params(name, factor) == expected, name
  assert depth_model_params("djf", 4) == 56_323


def _sa_params(tg, f, m, k=5, stages=1):
  feat = tg[-1]
  t = conv(1, tg[0], 9) + conv(tg[0], tg[1], 1) + conv(tg[1], feat, 5)
  g = conv(3, tg[0], 9) + conv(tg[0], tg[1], 1) + conv(tg[1], feat, 5)
  mix = sum(conv(cin, cout, 3) for cin, cout in zip((2 * feat,) + m[:-1], m))
  pos = 2 * k * (feat // 2)
  fuse = conv(feat, f[0], 9) + conv(f[0], f[1], 1) + conv(f[1], 1, 5)
  return t + g + stages * (mix + pos) + fuse


@pytest.mark.parametrize("name,tg,f,m", [
    ("sa_m1_f8", (96, 48, 8), (16, 16), (16,)),
    ("sa_m2_f32", (96, 48, 32), (64, 64), (64, 64)),
])
def test_sa_param_count_formula(name, tg, f, m):
  for factor in (4, 8, 16):
    assert depth_model_params(name, factor) == _sa_params(tg, f, m)
    per_stage = _sa_params(tg, f, m, stages=int(np.log2(factor)))
    assert depth_model_params(name, factor, share_stages=False) == per_stage
  assert depth_model_params(name, 4, kernel_size=3) == _sa_params(tg, f, m, k=3)


def test_sa_m1_f8_param_count_is_exact():
  # 22136 (CNN_T) + 37688 (CNN_G) + 2320 (CNN_M) + 40 (pos) + 11057 (CNN_F).
  assert depth_model_params("sa_m1_f8", 4) == 73_241
  abstract = nnx.eval_shape(lambda: build_depth_model("sa_m1_f8", 8, rngs=nnx.Rngs(0)))
  assert count_params(abstract) == 73_241


@pytest.mark.parametrize("cls", [JointAttentionUpsampler, DeepJointFilter])
def test_bad_inputs_raise(cls):
  small = dict(cnn_tg=(8, 8, 4), cnn_f=(4, 4), cnn_m=(8,))
  if cls is DeepJointFilter:
    small = dict(cnn_tg=(8, 8, 1), cnn_f=(4, 4))
  for factor in (3, 6, 1, 0, 2.0):
    with pytest.raises(ValueError, match="power of two"):
      cls(factor, **small, rngs=nnx.Rngs(0))
  net = nnx.eval_shape(lambda: cls(4, **small, rngs=nnx.Rngs(0)))
  depth, guide = inputs(4, hr=32)
  bad = [
      (depth, guide[:, :28], r"\[\.\.\., 32, 32, 3\].*guide.shape=\(2, 28, 32, 3\)"),
      (depth, guide[..., :1], r"guide.*\[\.\.\., H, W, 3\].*\(2, 32, 32, 1\)"),
      (depth[..., 0], guide, r"depth_lr.*\[\.\.\., h, w, 1\].*\(2, 8, 8\)"),
      (depth[:, :4], guide, r"factor=4.*\[\.\.\., 16, 32, 3\]"),
      (depth[:1], guide, r"batch dimensions differ"),
  ]
  for d, g, msg in bad:
    with pytest.raises(ValueError, match=msg):
      nnx.eval_shape(lambda: net(d, g))


def test_bad_widths_raise():
  with pytest.raises(ValueError, match="2F = 16"):
    JointAttentionUpsampler(4, (8, 8, 8), (4, 4), (8,), rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="even"):
    JointAttentionUpsampler(4, (8, 8, 7), (4, 4), (14,), rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="kernel_size"):
    JointAttentionUpsampler(4, (8, 8, 4), (4, 4), (8,), kernel_size=1,
                            rngs=nnx.Rngs(0))


def test_avg_pool_is_block_mean():
  x = np.random.default_rng(0).normal(size=(2, 8, 12, 3)).astype(np.float32)
  want = x.reshape(2, 2, 4, 3, 4, 3).mean(axis=(2, 4))
  np.testing.assert_allclose(avg_pool(jnp.asarray(x), 4), want, rtol=1e-5, atol=1e-6)


def materialize(build, seed=0):
  """`build()` with NumPy-random weights: conv kernels N(0, 1/fan_in), biases
  N(0, 0.01^2), position encodings N(0, 1) (as the layer's initialiser)."""
  graphdef, state = nnx.split(nnx.eval_shape(build))
  r = np.random.default_rng(seed)

  def fill(x):
    if len(x.shape) == 4:                     # [kh, kw, cin, cout]
      std = 1.0 / np.sqrt(np.prod(x.shape[:3]))
    else:
      std = 0.01 if len(x.shape) == 1 else 1.0
    return jnp.asarray(r.normal(0.0, std, x.shape), jnp.float32)

  return nnx.merge(graphdef, jax.tree.map(fill, state))


forward = nnx.jit(lambda model, depth, guide: model(depth, guide))


@pytest.fixture(scope="module")
def small():
  """A narrow JointAttentionUpsampler at x4 (2 stages, a CNN_M per stage);
  structurally the same as SA M2 F32."""
  return materialize(lambda: JointAttentionUpsampler(
      4, (8, 8, 4), (4, 4), (8, 8), share_stages=False, rngs=nnx.Rngs(0)), seed=1)


def _grads(model, depth, guide):
  target = jnp.mean(guide, axis=-1, keepdims=True)
  loss = lambda m: jnp.mean((m(depth, guide) - target) ** 2)
  return nnx.jit(nnx.grad(loss))(model)


def test_gradients_reach_every_parameter():
  # x2 (one stage): compiling the gradient of two fast attention stages takes
  # ~3x longer on CPU; the x4 forward is covered by `small` below.
  net = materialize(lambda: JointAttentionUpsampler(
      2, (8, 8, 4), (4, 4), (8, 8), rngs=nnx.Rngs(0)), seed=2)
  depth, guide = inputs(2, hr=8)
  grads = jax.tree.leaves_with_path(_grads(net, depth, guide))
  assert len(grads) == 2 * 3 * 2 + (2 * 2 + 2) + 3 * 2   # T, G, M + pos, F
  for path, g in grads:
    assert bool(jnp.all(jnp.isfinite(g))), path
    assert float(jnp.max(jnp.abs(g))) > 0, jax.tree_util.keystr(path)


def test_djf_gradients_reach_every_parameter():
  net = materialize(lambda: DeepJointFilter(4, (16, 8, 1), (8, 8), rngs=nnx.Rngs(0)))
  depth, guide = inputs(4, hr=16)
  grads = jax.tree.leaves_with_path(_grads(net, depth, guide))
  assert len(grads) == 3 * 3 * 2
  for path, g in grads:
    assert float(jnp.max(jnp.abs(g))) > 0, jax.tree_util.keystr(path)


def test_jit_forward(small):
  depth, guide = inputs(4, hr=16)
  out = forward(small, depth, guide)
  chex.assert_shape(out, (2, 16, 16, 1))
  chex.assert_type(out, jnp.float32)
  assert bool(jnp.all(jnp.isfinite(out)))
  assert float(jnp.std(out)) > 1e-4      # not a constant map
  # Same model, same shapes, permuted batch: the jitted program is per sample.
  swapped = forward(small, depth[::-1], guide[::-1])
  np.testing.assert_allclose(swapped, out[::-1], rtol=1e-5, atol=1e-6)


def test_constant_depth_random_guide_is_finite(small):
  _, guide = inputs(4, hr=16, seed=3)
  depth = jnp.full((2, 4, 4, 1), 0.5, jnp.float32)
  out = forward(small, depth, guide)      # same shapes as above: no recompile
  chex.assert_shape(out, (2, 16, 16, 1))
  assert bool(jnp.all(jnp.isfinite(out)))
  # The guide alone changes the prediction: the two samples differ.
  assert float(jnp.max(jnp.abs(out[0] - out[1]))) > 0


def test_residual_adds_bicubic_input():
  net = materialize(lambda: JointAttentionUpsampler(
      2, (8, 8, 4), (4, 4), (8,), residual=True, rngs=nnx.Rngs(0)))
  last = net.cnn_f.convs[-1]
  last.kernel[...] = jnp.zeros_like(last.kernel[...])
  last.bias[...] = jnp.full_like(last.bias[...], 0.25)
  depth, guide = inputs(2, hr=16)
  want = bicubic_upsample_depth(depth, 2, "grid") + 0.25
  np.testing.assert_allclose(forward(net, depth, guide), want, rtol=1e-6, atol=1e-6)
  # Grid alignment: the LR samples come back exactly at hr[::2, ::2].
  np.testing.assert_allclose(want[:, ::2, ::2], depth + 0.25, atol=1e-6)


def test_attention_weights_of_every_stage(small):
  depth, guide = inputs(4, hr=16, batch=1)
  y, weights = nnx.jit(lambda m, d, g: m(d, g, return_weights=True))(small, depth, guide)
  np.testing.assert_allclose(y, forward(small, depth, guide), atol=1e-5)
  k = small.kernel_size
  chex.assert_shape(weights, [(1, 8, 8, k * k), (1, 16, 16, k * k)])
  np.testing.assert_allclose(jnp.sum(weights[-1], -1), 1.0, atol=1e-5)


@pytest.mark.parametrize("name", ["djf", "sa_m1_f8"])
def test_residual_models_start_exactly_at_bicubic(name):
  """residual=True zero-initialises the last conv: the untrained network is
  the bicubic upsampling, so training only has to learn the correction."""
  net = build_depth_model(name, 4, residual=True, rngs=nnx.Rngs(0))
  depth, guide = inputs(4, hr=32)
  np.testing.assert_allclose(forward(net, depth, guide),
                             bicubic_upsample_depth(depth, 4, "grid"), atol=1e-6)
