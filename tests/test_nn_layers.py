"""The NNX layers: drop-in shapes, parameter counts, jit/vmap/jvp, dtypes, Linen bridge parity."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax import nn, ops


def n_params(module):
  return sum(p.size for p in jax.tree.leaves(nnx.state(module, nnx.Param)))


@pytest.mark.parametrize("cin,cout,k,s", [(8, 6, 3, 2), (5, 4, 5, 2), (4, 8, 5, 3), (3, 2, 7, 4)])
def test_attention_upsample_is_a_drop_in_for_conv_transpose(cin, cout, k, s):
  x = jnp.ones((2, 5, 7, cin))
  layer = nn.AttentionUpsample(cin, cout, k, s, rngs=nnx.Rngs(0))
  conv = nnx.ConvTranspose(cin, cout, (k, k), strides=(s, s), padding="SAME",
                           rngs=nnx.Rngs(0))
  chex.assert_equal_shape([layer(x), conv(x)])
  chex.assert_shape(layer(x), (2, 5 * s, 7 * s, cout))
  assert n_params(layer) == 3 * cin * cout + k * cout
  assert n_params(nn.AttentionUpsample(cin, cout, k, s, use_bias=True,
                                       rngs=nnx.Rngs(0))) == 3 * cin * cout + 3 * cout + k * cout


def test_tuple_arguments_like_conv_transpose():
  layer = nn.AttentionUpsample(4, 4, (5, 5), (2, 2), rngs=nnx.Rngs(0))
  assert (layer.kernel_size, layer.strides) == (5, 2)


def test_layer_equals_the_op_on_its_projections(rng):
  layer = nn.AttentionUpsample(6, 4, 5, 2, rngs=nnx.Rngs(1))
  x = jnp.asarray(rng.normal(size=(2, 4, 3, 6)), jnp.float32)
  wq, wk, wv = (layer.query.kernel[...], layer.key.kernel[...], layer.value.kernel[...])
  q = jax.image.resize(x @ wq, (2, 8, 6, 4), "bilinear")   # upsample, then project: same
  want = ops.attention_upsample(q, x @ wk, x @ wv, layer.pos_y[...], layer.pos_x[...],
                                stride=2, kernel_size=5, impl="reference")
  np.testing.assert_allclose(layer(x), want, atol=1e-5)
  q_after = jax.image.resize(x, (2, 8, 6, 6), "bilinear") @ wq
  np.testing.assert_allclose(q, q_after, atol=1e-5)


@pytest.mark.parametrize("impl", ["highres", "loop", "reference"])
def test_every_impl_gives_the_layer_the_same_values_and_gradients(rng, impl):
  x = jnp.asarray(rng.normal(size=(2, 5, 3, 4)), jnp.float32)
  fast = nn.AttentionUpsample(4, 6, 5, 2, rngs=nnx.Rngs(0))
  other = nn.AttentionUpsample(4, 6, 5, 2, impl=impl, rngs=nnx.Rngs(0))
  np.testing.assert_allclose(fast(x), other(x), atol=1e-5)
  loss = lambda m: jnp.sum(m(x) ** 2)
  chex.assert_trees_all_close(nnx.grad(loss)(fast), nnx.grad(loss)(other), atol=1e-4)


@pytest.mark.parametrize("lead,chunk,layout", [((6,), 4, "contiguous"), ((2, 3), 2, "contiguous"),
                                               ((5,), 2, "contiguous"), ((6,), 2, "strided"),
                                               ((2, 4), 4, "strided")])
def test_batch_chunks_give_the_reference_values_and_gradients(rng, lead, chunk, layout):
  """`batch_chunk` (projections and attention a few images at a time, the
  backward recomputing each chunk) against the literal reference on the
  whole batch: outputs, weights, and gradients of parameters and input."""
  x = jnp.asarray(rng.normal(size=lead + (3, 4, 4)), jnp.float32)
  chunked = nn.AttentionUpsample(4, 6, 5, 2, batch_chunk=chunk, chunk_layout=layout,
                                 rngs=nnx.Rngs(0))
  ref = nn.AttentionUpsample(4, 6, 5, 2, impl="reference", rngs=nnx.Rngs(0))
  (out, w), (want, want_w) = chunked(x, return_weights=True), ref(x, return_weights=True)
  chex.assert_shape([out, w], [lead + (6, 8, 6), lead + (6, 8, 25)])
  np.testing.assert_allclose(out, want, atol=1e-5)
  np.testing.assert_allclose(w, want_w, atol=1e-6)
  loss = lambda m, x: jnp.sum(jnp.sin(m(x)))
  g_chunked = nnx.grad(loss, argnums=(0, 1))(chunked, x)
  g_ref = nnx.grad(loss, argnums=(0, 1))(ref, x)
  chex.assert_trees_all_close(g_chunked, g_ref, atol=1e-4)
  dx = jnp.asarray(rng.normal(size=x.shape), jnp.float32)
  _, tangent = jax.jvp(chunked, (x,), (dx,))
  _, want_tangent = jax.jvp(ref, (x,), (dx,))
  np.testing.assert_allclose(tangent, want_tangent, atol=1e-4)


def test_batch_chunks_cut_the_training_memory():
  """Compiled forward+backward peak (XLA's memory analysis): chunks of 2 need
  well under the unchunked layer's, which keeps every image's intermediates
  for the backward (0.58x here, 0.48x at the paper's SR setting)."""
  x = jnp.zeros((16, 16, 16, 64), jnp.float32)

  def peak(layer):
    graphdef, params = nnx.split(layer)
    loss = lambda p, x: jnp.mean(nnx.merge(graphdef, p)(x) ** 2)
    m = jax.jit(jax.grad(loss, (0, 1))).lower(params, x).compile().memory_analysis()
    return m.argument_size_in_bytes + m.output_size_in_bytes + m.temp_size_in_bytes

  whole = peak(nn.AttentionUpsample(64, 64, 5, 2, rngs=nnx.Rngs(0)))
  chunked = peak(nn.AttentionUpsample(64, 64, 5, 2, batch_chunk=2, rngs=nnx.Rngs(0)))
  assert chunked < 0.8 * whole, (chunked / 2**20, whole / 2**20)


def test_bad_batch_chunk_is_a_clear_error():
  with pytest.raises(ValueError, match="batch_chunk"):
    nn.AttentionUpsample(4, 4, 3, 2, batch_chunk=0, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="chunk_layout"):
    nn.AttentionUpsample(4, 4, 3, 2, batch_chunk=2, chunk_layout="rows", rngs=nnx.Rngs(0))


def test_forward_mode_derivative_of_the_layer(rng):
  """`jax.jvp` works (no custom VJP on the default path) and agrees with
  central differences."""
  layer = nn.AttentionUpsample(4, 6, 5, 2, rngs=nnx.Rngs(0))
  x = jnp.asarray(rng.normal(size=(1, 4, 5, 4)), jnp.float32)
  dx = jnp.asarray(rng.normal(size=x.shape), jnp.float32)
  out, tangent = jax.jvp(layer, (x,), (dx,))
  eps = 1e-2
  numeric = (layer(x + eps * dx) - layer(x - eps * dx)) / (2 * eps)
  chex.assert_equal_shape([out, tangent])
  np.testing.assert_allclose(tangent, numeric, atol=2e-3, rtol=2e-3)


def test_bfloat16_layer_stores_bfloat16(rng):
  layer = nn.AttentionUpsample(4, 6, 5, 2, dtype=jnp.bfloat16, rngs=nnx.Rngs(0))
  x = jnp.asarray(rng.normal(size=(2, 4, 4, 4)), jnp.bfloat16)
  out, weights = layer(x, return_weights=True)
  chex.assert_type([out, weights], [jnp.bfloat16, jnp.float32])
  chex.assert_shape([out, weights], [(2, 8, 8, 6), (2, 8, 8, 25)])
  full = nn.AttentionUpsample(4, 6, 5, 2, rngs=nnx.Rngs(0))(x.astype(jnp.float32))
  np.testing.assert_allclose(out.astype(jnp.float32), full, atol=0.1, rtol=0.05)


def test_under_nnx_jit_jax_jit_and_vmap(rng):
  layer = nn.AttentionUpsample(4, 6, 3, 2, rngs=nnx.Rngs(0))
  x = jnp.asarray(rng.normal(size=(3, 4, 4, 4)), jnp.float32)
  eager = layer(x)
  np.testing.assert_allclose(nnx.jit(lambda m, x: m(x))(layer, x), eager, atol=1e-6)
  graphdef, state = nnx.split(layer)
  pure = jax.jit(lambda st, x: nnx.merge(graphdef, st)(x))
  np.testing.assert_allclose(pure(state, x), eager, atol=1e-6)
  per_image = jax.vmap(lambda xi: nnx.merge(graphdef, state)(xi))(x)
  np.testing.assert_allclose(per_image, eager, atol=1e-6)


def test_gradients_reach_every_parameter(rng):
  layer = nn.AttentionUpsample(4, 6, 5, 2, rngs=nnx.Rngs(0))
  x = jnp.asarray(rng.normal(size=(2, 4, 4, 4)), jnp.float32)
  grads = nnx.grad(lambda m: jnp.mean(m(x) ** 2))(layer)
  for path, g in jax.tree_util.tree_leaves_with_path(grads):
    assert float(jnp.abs(g).max()) > 0, path


def test_return_weights_sum_to_one(rng):
  layer = nn.AttentionUpsample(4, 4, 3, 2, rngs=nnx.Rngs(0))
  out, w = layer(jnp.asarray(rng.normal(size=(1, 4, 4, 4)), jnp.float32),
                 return_weights=True)
  chex.assert_shape([out, w], [(1, 8, 8, 4), (1, 8, 8, 9)])
  np.testing.assert_allclose(jnp.sum(w, -1), 1.0, atol=1e-6)


def test_attention_conv_is_a_drop_in_for_conv(rng):
  x = jnp.asarray(rng.normal(size=(2, 6, 5, 3)), jnp.float32)
  layer = nn.AttentionConv(3, 8, 3, rngs=nnx.Rngs(0))
  conv = nnx.Conv(3, 8, (3, 3), padding="SAME", rngs=nnx.Rngs(0))
  chex.assert_equal_shape([layer(x), conv(x)])
  chex.assert_shape(layer(x), x.shape[:-1] + (8,))
  assert n_params(layer) == 3 * 3 * 8 + 3 * 8


def test_guided_layer_reads_keys_at_valid_positions(rng):
  layer = nn.GuidedAttentionUpsample(3, 5, 4, 3, 2, rngs=nnx.Rngs(0))
  x = jnp.asarray(rng.normal(size=(2, 4, 3, 5)), jnp.float32)
  guide = jnp.asarray(rng.normal(size=(2, 8, 6, 3)), jnp.float32)
  out = layer(x, guide)
  chex.assert_shape(out, (2, 8, 6, 4))
  assert n_params(layer) == 2 * 3 * 4 + 5 * 4 + 3 * 4
  q, k = layer.query(guide), layer.key(guide)
  want = ops.attention_upsample(q, k[:, ::2, ::2], layer.value(x), layer.pos_y[...],
                                layer.pos_x[...], stride=2, kernel_size=3,
                                impl="reference")
  np.testing.assert_allclose(out, want, atol=1e-5)
  np.testing.assert_allclose(layer.attend(x, q, k), out, atol=1e-6)


@pytest.mark.parametrize("kind", ["upsample", "conv", "guided"])
def test_linen_bridge_gives_the_nnx_numbers(rng, kind):
  x = jnp.asarray(rng.normal(size=(2, 4, 4, 4)), jnp.float32)
  guide = jnp.asarray(rng.normal(size=(2, 8, 8, 3)), jnp.float32)
  if kind == "upsample":
    module = nn.AttentionUpsample(4, 6, 5, 2, rngs=nnx.Rngs(3))
    linen, args = nn.attention_upsample_linen(4, 6, 5, 2), (x,)
  elif kind == "conv":
    module = nn.AttentionConv(4, 6, 3, rngs=nnx.Rngs(3))
    linen, args = nn.attention_conv_linen(4, 6, 3), (x,)
  else:
    module = nn.GuidedAttentionUpsample(3, 4, 6, 3, 2, rngs=nnx.Rngs(3))
    linen, args = nn.guided_attention_upsample_linen(3, 4, 6, 3, 2), (x, guide)
  variables = linen.init(jax.random.key(0), *args)
  assert sum(a.size for a in jax.tree.leaves(variables)) == n_params(module)
  params = nnx.to_pure_dict(nnx.state(module, nnx.Param))   # the NNX weights
  assert jax.tree.structure(params) == jax.tree.structure(variables["params"])
  out_linen = linen.apply({"params": params}, *args)
  np.testing.assert_allclose(out_linen, module(*args), atol=1e-6)
  # Different weights give different outputs: the copy above was really used.
  assert float(jnp.abs(linen.apply(variables, *args) - module(*args)).max()) > 1e-3


@pytest.mark.parametrize("k,s,kernel_grad", [(5, 2, "matmul"), (3, 2, "matmul"),
                                             (4, 2, "matmul"), (5, 3, "xla"),
                                             (7, 4, "matmul"), (3, 1, "xla")])
def test_phased_conv_transpose_equals_nnx_conv_transpose(rng, k, s, kernel_grad):
  ref = nnx.ConvTranspose(3, 4, (k, k), strides=(s, s), padding="SAME",
                          rngs=nnx.Rngs(0))
  ref.bias[...] = jnp.asarray(rng.normal(size=4), jnp.float32)
  fast = nn.PhasedConvTranspose(3, 4, k, s, kernel_grad=kernel_grad, rngs=nnx.Rngs(0))
  fast.kernel[...], fast.bias[...] = ref.kernel[...], ref.bias[...]
  x = jnp.asarray(rng.normal(size=(2, 5, 7, 3)), jnp.float32)
  np.testing.assert_allclose(fast(x), ref(x), atol=1e-5)
  assert n_params(fast) == n_params(ref) == k * k * 3 * 4 + 4
  g_ref = jax.grad(lambda x: jnp.sum(ref(x) ** 2))(x)
  g_fast = jax.grad(lambda x: jnp.sum(fast(x) ** 2))(x)
  np.testing.assert_allclose(g_fast, g_ref, atol=1e-4, rtol=1e-5)
  k_ref = nnx.grad(lambda m: jnp.sum(m(x) ** 2))(ref)["kernel"][...]
  k_fast = nnx.grad(lambda m: jnp.sum(m(x) ** 2))(fast)["kernel"][...]
  np.testing.assert_allclose(k_fast, k_ref, atol=1e-3, rtol=1e-5)
