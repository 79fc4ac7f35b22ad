"""`ops.remat_chunks`: the same function, values and derivatives, in chunks of a batch."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attnup_jax import ops


def _fn(x, w):
  """Per-image: a large intermediate ([N, 64] per image) reduced back."""
  h = jnp.tanh(x[..., None] * w[None, None, :])    # [G, N, 64]
  return jnp.sum(h * h, -1)                        # [G, N]


@pytest.mark.parametrize("batch,chunk,used", [(6, 4, 3), (8, 4, 4), (7, 4, 1),
                                              (5, None, 5), (4, 9, 4)])
def test_chunk_is_the_largest_divisor_at_most_the_request(batch, chunk, used):
  assert ops.chunk_size(batch, chunk) == used


LAYOUTS = ("contiguous", "strided")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("batch,chunk", [(6, 4), (7, 3), (8, 2), (3, None)])
def test_values_gradients_and_jvp_equal_the_whole_batch(rng, batch, chunk, layout):
  x = jnp.asarray(rng.normal(size=(batch, 5)), jnp.float32)
  w = jnp.asarray(rng.normal(size=(64,)), jnp.float32)
  chunked = lambda x, w: ops.remat_chunks(_fn, x, chunk, w, layout=layout)
  np.testing.assert_allclose(chunked(x, w), _fn(x, w), rtol=1e-6)
  loss = lambda f: lambda x, w: jnp.sum(jnp.sin(f(x, w)))
  chex.assert_trees_all_close(jax.grad(loss(chunked), (0, 1))(x, w),
                              jax.grad(loss(_fn), (0, 1))(x, w), rtol=1e-5, atol=1e-5)
  dx, dw = jnp.ones_like(x), jnp.ones_like(w)
  chex.assert_trees_all_close(jax.jvp(chunked, (x, w), (dx, dw)),
                              jax.jvp(_fn, (x, w), (dx, dw)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pytree_outputs_keep_their_batch_order(rng, layout):
  x = jnp.asarray(rng.normal(size=(6, 3)), jnp.float32)
  out = ops.remat_chunks(lambda x: {"a": x * 2, "b": (x[:, :1],)}, x, 2, layout=layout)
  np.testing.assert_array_equal(out["a"], x * 2)
  np.testing.assert_array_equal(out["b"][0], x[:, :1])


def _grad_peak_bytes(f, x, w):
  step = jax.jit(jax.grad(lambda x, w: jnp.sum(f(x, w)), (0, 1)))
  m = step.lower(x, w).compile().memory_analysis()
  return m.argument_size_in_bytes + m.output_size_in_bytes + m.temp_size_in_bytes


def test_strided_chunks_are_images_i_plus_multiples_of_the_chunk_count():
  seen = []
  def fn(xc):
    jax.debug.callback(lambda a: seen.append(np.asarray(a).ravel().tolist()), xc)
    return xc
  ops.remat_chunks(fn, jnp.arange(6.0), 2, layout="strided")
  assert sorted(seen) == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_backward_keeps_one_chunk_of_intermediates(layout):
  """The point of it: the [B, N, 64] intermediate of the whole batch is never
  held for the backward, only one chunk's."""
  x = jnp.zeros((16, 4096), jnp.float32)           # the intermediate: 16 MiB
  w = jnp.zeros((64,), jnp.float32)
  whole = _grad_peak_bytes(_fn, x, w)
  chunked = _grad_peak_bytes(
      lambda x, w: ops.remat_chunks(_fn, x, 2, w, layout=layout), x, w)
  assert whole > 16 * 2**20
  assert chunked < 0.4 * whole, (chunked / 2**20, whole / 2**20)


def test_bad_layout_is_a_clear_error():
  with pytest.raises(ValueError, match="layout.*strided"):
    ops.remat_chunks(_fn, jnp.zeros((4, 2)), 2, jnp.zeros((64,)), layout="rows")


@pytest.mark.parametrize("chunk", [0, -2, 2.5, True, "4"])
def test_bad_chunk_is_a_clear_error(chunk):
  with pytest.raises(ValueError, match="batch_chunk"):
    ops.remat_chunks(_fn, jnp.zeros((4, 2)), chunk, jnp.zeros((64,)))


@pytest.mark.parametrize("layout,gathers", [("contiguous", True), ("strided", False)])
def test_on_a_sharded_batch_strided_chunks_need_no_gather(layout, gathers):
  """Batch sharded over 4 (forced CPU) devices, chunks of 4: a strided chunk
  takes one image from each device's block, so the program has no
  all-gather; a contiguous chunk lives on one device and is gathered."""
  from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
  mesh = Mesh(np.array(jax.devices()[:4]), ("data",))
  x = jax.ShapeDtypeStruct((16, 256), jnp.float32, sharding=NamedSharding(mesh, P("data")))
  w = jax.ShapeDtypeStruct((64,), jnp.float32, sharding=NamedSharding(mesh, P()))
  loss = lambda x, w: jnp.sum(ops.remat_chunks(_fn, x, 4, w, layout=layout))
  text = jax.jit(jax.grad(loss, (0, 1))).lower(x, w).compile().as_text()
  assert (" all-gather" in text) == gathers
