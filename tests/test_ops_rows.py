"""`ops.remat_rows` and the layer's row strips: the same function, values and
derivatives, differentiated a few image rows at a time."""

import re

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax import nn, ops
from attnup_jax.ops._attention_windows import row_reach
from attnup_jax.ops._rows import strip_shape
from numpy_attention import attention_upsample_loops, bilinear_upsample_loops


def _local(x, w):
  """[..., H, W, C] -> [..., 2H, W, C]: each output row pair from input rows
  m-1..m+1 (edge-clamped), through a large [.., 64] intermediate."""
  up = jnp.concatenate([x[..., :1, :, :], x, x[..., -1:, :, :]], axis=-3)
  mix = up[..., :-2, :, :] - 2 * up[..., 1:-1, :, :] + 0.5 * up[..., 2:, :, :]
  h = jnp.tanh(mix[..., None] * w.reshape((1,) * mix.ndim + (-1,)))   # [..., 64]
  return jnp.repeat(jnp.sum(h * h, -1), 2, axis=-3)


@pytest.mark.parametrize("h,rows", [(10, 3), (9, 4), (7, 1), (32, 6), (13, 13)])
def test_strips_cover_every_row_once_at_most_rows_each(h, rows):
  n, r = strip_shape(h, rows)
  firsts = [min(i * r, h - r) for i in range(n)]
  covered = sorted({m for f in firsts for m in range(f, f + r)})
  assert covered == list(range(h)) and r <= rows and n == -(-h // rows)


@pytest.mark.parametrize("h,rows", [(10, 3), (9, 2), (11, 4), (5, 6)])
def test_values_gradients_and_jvp_equal_the_whole_image(rng, h, rows):
  x = jnp.asarray(rng.normal(size=(2, h, 3, 2)), jnp.float32)
  w = jnp.asarray(0.3 * rng.normal(size=(64,)), jnp.float32)
  strips = lambda x, w: ops.remat_rows(_local, x, rows, w, halo=1, stride=2)
  np.testing.assert_array_equal(strips(x, w), _local(x, w))   # plain call: fn itself
  loss = lambda f: lambda x, w: jnp.sum(jnp.sin(f(x, w)))
  chex.assert_trees_all_close(jax.grad(loss(strips), (0, 1))(x, w),
                              jax.grad(loss(_local), (0, 1))(x, w), rtol=1e-4, atol=1e-4)
  dx, dw = (jnp.asarray(rng.normal(size=a.shape), jnp.float32) for a in (x, w))
  chex.assert_trees_all_close(jax.jvp(strips, (x, w), (dx, dw)),
                              jax.jvp(_local, (x, w), (dx, dw)), rtol=1e-4, atol=1e-4)


def _placed(dtype, update):
  """Values, gradients and `jvp` of `_local` in strips placed by `update`
  ("add", "write": `_rows._place`), or of the whole image ("whole"), with
  the last strip overlapping its neighbour (10 rows in strips of 3), as
  float32."""
  r = np.random.default_rng(7)
  x, w, dx, dw = (jnp.asarray(c * r.normal(size=shape), dtype) for c, shape in (
      (1.0, (2, 10, 3, 2)), (0.3, (64,)), (1.0, (2, 10, 3, 2)), (1.0, (64,))))
  f = _local if update == "whole" else (
      lambda x, w: ops.remat_rows(_local, x, 3, w, halo=1, stride=2, update=update))
  loss = lambda x, w: jnp.sum(jnp.sin(f(x, w).astype(jnp.float32)))
  out = (f(x, w), jax.grad(loss, (0, 1))(x, w), jax.jvp(f, (x, w), (dx, dw)))
  return jax.tree.map(lambda a: np.asarray(a, np.float32), out)


@pytest.mark.parametrize("update", ["add", "write", None])
def test_every_placement_equals_the_whole_image(update):
  """Strips added into place, written over it, or by dtype: the values,
  gradients and `jvp` of the whole image (float32)."""
  chex.assert_trees_all_close(_placed(jnp.float32, update), _placed(jnp.float32, "whole"),
                              rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("update", ["add", "write", None])
def test_every_placement_equals_the_whole_image_in_bfloat16(update):
  """The same in bfloat16, within its rounding (relative to each array's
  norm: `_local` cancels, and the strips sum the input's cotangent in
  another order)."""
  whole = jax.tree.leaves(_placed(jnp.bfloat16, "whole"))
  for a, b in zip(jax.tree.leaves(_placed(jnp.bfloat16, update)), whole):
    assert np.linalg.norm(a - b) <= 2e-2 * np.linalg.norm(b)


def _output_sized_copies(dtype, update):
  """Copies of an output-sized buffer in the compiled gradient of a layer
  (C=16, K=5, 8 x 32x32 -> 64x64) whose strips are placed by `update`."""
  layer = nn.AttentionUpsample(16, 16, 5, 2, strip_update=update, dtype=dtype,
                               rngs=nnx.Rngs(0))
  graphdef, params = nnx.split(layer)
  x = jnp.zeros((8, 32, 32, 16), dtype)
  loss = lambda p, x: jnp.mean(nnx.merge(graphdef, p)(x).astype(jnp.float32) ** 2)
  text = jax.jit(jax.grad(loss, (0, 1))).lower(params, x).compile().as_text()
  shape = {jnp.float32: "f32", jnp.bfloat16: "bf16"}[dtype] + "[8,64,64,16]"
  return len(re.findall(re.escape(shape) + r"\{[0-9,]*\} copy\(", text))


def test_float32_strips_are_added_into_place_without_copying_the_output():
  """By default float32 strips are added into place, and the compiled
  backward pass copies no output-sized buffer; written over the output
  instead, its transpose (zero the slice of the cotangent) copies it
  (XLA:CPU)."""
  assert _output_sized_copies(jnp.float32, None) == 0
  assert _output_sized_copies(jnp.float32, "add") == 0
  assert _output_sized_copies(jnp.float32, "write") >= 1


def test_too_little_context_is_caught():
  """The check above can fail: with no halo rows a strip's edge rows see a
  clamped copy of their own row instead of their neighbour."""
  x = jnp.asarray(np.random.default_rng(0).normal(size=(1, 10, 3, 2)), jnp.float32)
  w = jnp.linspace(-1.0, 1.0, 64)
  bad = lambda x: ops.remat_rows(_local, x, 3, w, halo=0, stride=2)
  g_bad = jax.grad(lambda x: jnp.sum(bad(x) ** 2))(x)
  g = jax.grad(lambda x: jnp.sum(_local(x, w) ** 2))(x)
  assert float(jnp.max(jnp.abs(g_bad - g))) > 1e-2


def test_plain_call_runs_the_whole_image_and_derivatives_run_strips():
  x, w = jnp.ones((1, 12, 2, 2)), jnp.ones((64,))
  strips = lambda x: ops.remat_rows(_local, x, 3, w, halo=1, stride=2)
  loops = lambda f: sum(str(jax.make_jaxpr(f)(x)).count(op) for op in (" scan[", " while["))
  assert loops(strips) == 0
  assert loops(jax.grad(lambda x: jnp.sum(strips(x)))) > 0
  assert loops(lambda x: jax.jvp(strips, (x,), (x,))) > 0


@pytest.mark.parametrize("update", ["Add", "overwrite", 1])
def test_bad_strip_update_is_a_clear_error(update):
  with pytest.raises(ValueError, match="strip_update.*add.*write"):
    ops.remat_rows(_local, jnp.zeros((1, 12, 2, 2)), 3, jnp.ones(64), halo=1, stride=2,
                   update=update)
  with pytest.raises(ValueError, match="strip_update"):
    nn.AttentionUpsample(4, 4, 3, 2, strip_update=update, rngs=nnx.Rngs(0))


@pytest.mark.parametrize("rows", [0, -1, 2.5, True])
def test_bad_row_chunk_is_a_clear_error(rows):
  with pytest.raises(ValueError, match="row_chunk"):
    ops.remat_rows(_local, jnp.zeros((1, 12, 2, 2)), rows, jnp.ones(64), halo=1, stride=2)
  with pytest.raises(ValueError, match="row_chunk"):
    nn.AttentionUpsample(4, 4, 3, 2, row_chunk=rows, rngs=nnx.Rngs(0))


@pytest.mark.parametrize("s,k", [(2, 3), (2, 5), (3, 5), (3, 7), (4, 9)])
def test_row_reach_is_the_window_and_the_bilinear_taps(s, k):
  """Every output row block m depends on input rows m +- row_reach and no
  further: the layer's input gradient at one output row block is zero
  outside that band and non-zero at its edge."""
  layer = nn.AttentionUpsample(4, 4, k, s, row_chunk=None, rngs=nnx.Rngs(0))
  x = jnp.asarray(np.random.default_rng(1).normal(size=(1, 11, 3, 4)), jnp.float32)
  m, reach = 5, row_reach(s, k)
  g = jax.grad(lambda x: jnp.sum(layer(x)[0, s * m:s * m + s]))(x)
  rows = np.flatnonzero(np.abs(np.asarray(g[0])).sum((1, 2)) > 0)
  assert rows.min() == m - reach and rows.max() == m + reach, (rows, reach)


def _numpy_layer(x, wq, wk, wv, py, px, s, k):
  """One image through the projections, the NumPy bilinear loop and the
  NumPy attention loop (tests/numpy_attention.py), float64."""
  q = bilinear_upsample_loops(x @ wq, s)
  return attention_upsample_loops(q, x @ wk, x @ wv, py, px, s, k)[0]


@pytest.mark.parametrize("s,k,h,rows", [(2, 5, 11, 3), (2, 3, 10, 2), (3, 5, 9, 2),
                                        (3, 7, 8, 1)])
def test_layer_strips_match_the_reference_and_the_numpy_loop(rng, s, k, h, rows):
  """The strip-differentiated layer against the literal reference on the
  whole image (gradients of parameters and input, `jvp`), and its input
  gradient and `jvp` against central differences of the NumPy loop."""
  x = jnp.asarray(rng.normal(size=(2, h, 3, 4)), jnp.float32)
  strips = nn.AttentionUpsample(4, 6, k, s, row_chunk=rows, rngs=nnx.Rngs(0))
  ref = nn.AttentionUpsample(4, 6, k, s, impl="reference", row_chunk=None,
                             rngs=nnx.Rngs(0))
  cot = jnp.asarray(rng.normal(size=(2, s * h, s * 3, 6)), jnp.float32)
  loss = lambda m, x: jnp.sum(m(x) * cot)
  g_strips = nnx.grad(loss, argnums=(0, 1))(strips, x)
  chex.assert_trees_all_close(g_strips, nnx.grad(loss, argnums=(0, 1))(ref, x), atol=1e-4)
  dx = jnp.asarray(rng.normal(size=x.shape), jnp.float32)
  out, tangent = jax.jvp(strips, (x,), (dx,))
  want_out, want_tangent = jax.jvp(ref, (x,), (dx,))
  np.testing.assert_allclose(out, want_out, atol=1e-5)
  np.testing.assert_allclose(tangent, want_tangent, atol=1e-4)

  params = [np.asarray(a, np.float64) for a in (
      strips.query.kernel[...], strips.key.kernel[...], strips.value.kernel[...],
      strips.pos_y[...], strips.pos_x[...])]
  x0, dx0, cot0 = (np.asarray(a[0], np.float64) for a in (x, dx, cot))
  f = lambda x: _numpy_layer(x, *params, s, k)
  eps = 1e-6
  np.testing.assert_allclose(tangent[0], (f(x0 + eps * dx0) - f(x0 - eps * dx0)) / (2 * eps),
                             atol=1e-4, rtol=1e-4)
  gx = np.asarray(g_strips[1][0])
  for m in (0, rows, h - 1):                    # a row at each kind of strip edge
    e = np.zeros_like(x0)
    e[m, 1, 2] = 1.0
    numeric = np.sum((f(x0 + eps * e) - f(x0 - eps * e)) * cot0) / (2 * eps)
    np.testing.assert_allclose(gx[m, 1, 2], numeric, atol=2e-4, rtol=1e-4)


def _grad_peak_mib(layer, x):
  graphdef, params = nnx.split(layer)
  loss = lambda p, x: jnp.mean(nnx.merge(graphdef, p)(x) ** 2)
  m = jax.jit(jax.grad(loss, (0, 1))).lower(params, x).compile().memory_analysis()
  return (m.argument_size_in_bytes + m.output_size_in_bytes + m.temp_size_in_bytes) / 2**20


def test_default_strips_cut_the_training_memory_below_conv_transpose():
  """Compiled forward+backward peak (XLA's memory analysis) at C=64, K=5 on
  16 x 32x32 images: the default strips need less than the whole image
  (about 0.56x) and less than `nnx.ConvTranspose`, which the whole image
  does not."""
  x = jnp.zeros((16, 32, 32, 64), jnp.float32)
  strips = _grad_peak_mib(nn.AttentionUpsample(64, 64, 5, 2, rngs=nnx.Rngs(0)), x)
  whole = _grad_peak_mib(nn.AttentionUpsample(64, 64, 5, 2, row_chunk=None,
                                              rngs=nnx.Rngs(0)), x)
  conv = _grad_peak_mib(nnx.ConvTranspose(64, 64, (5, 5), strides=(2, 2), padding="SAME",
                                          rngs=nnx.Rngs(0)), x)
  assert strips < 0.7 * whole and strips < conv < whole, (strips, whole, conv)


def test_on_a_sharded_batch_strips_need_no_gather():
  """Batch sharded over 4 (forced CPU) devices: the strips cut rows, so the
  compiled gradient gathers nothing (the all-reduces are the parameters')."""
  from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
  mesh = Mesh(np.array(jax.devices()[:4]), ("data",))
  layer = nn.AttentionUpsample(8, 8, 5, 2, rngs=nnx.Rngs(0))
  graphdef, params = nnx.split(layer)
  params = jax.tree.map(lambda a: jax.ShapeDtypeStruct(
      a.shape, a.dtype, sharding=NamedSharding(mesh, P())), params)
  x = jax.ShapeDtypeStruct((8, 24, 8, 8), jnp.float32, sharding=NamedSharding(mesh, P("data")))
  loss = lambda p, x: jnp.sum(nnx.merge(graphdef, p)(x) ** 2)
  text = jax.jit(jax.grad(loss, (0, 1))).lower(params, x).compile().as_text()
  assert " while" in text or "= while" in text or "while(" in text
  assert " all-gather" not in text and "all-to-all" not in text
