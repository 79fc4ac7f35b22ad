"""SuperResolutionNet (SPEC Sec. 3): Table III parameter counts, shapes,
the global bicubic skip, input errors."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attnup_jax.models import SuperResolutionNet, count_params

# Paper Table III, millions of parameters.
TABLE_III = {"attention": {2: 0.35, 4: 0.69, 8: 1.04},
             "deconv": {2: 0.71, 4: 1.41, 8: 2.12}}


@pytest.mark.parametrize("upsampler", ["attention", "deconv"])
@pytest.mark.parametrize("scale", [2, 4, 8])
def test_parameter_counts_match_table_iii_within_one_percent(upsampler, scale):
  net = nnx.eval_shape(lambda: SuperResolutionNet(scale, upsampler, rngs=nnx.Rngs(0)))
  ours = count_params(net) / 1e6
  paper = TABLE_III[upsampler][scale]
  assert abs(ours / paper - 1) < 0.01, (ours, paper)


@pytest.mark.parametrize("upsampler", ["attention", "deconv"])
def test_global_skip_starts_exactly_at_bicubic(upsampler, rng):
  net = SuperResolutionNet(4, upsampler, features=8, global_skip=True,
                           rngs=nnx.Rngs(0))
  x = jnp.asarray(rng.uniform(size=(2, 6, 5, 1)), jnp.float32)
  want = jax.image.resize(x, (2, 24, 20, 1), "bicubic")
  np.testing.assert_allclose(net(x), want, atol=1e-6)
  # ... and the tail still gets a gradient, so training moves away from it.
  grads = nnx.grad(lambda m: jnp.mean((m(x) - 0.5) ** 2))(net)
  assert float(jnp.abs(grads["tail"]["kernel"][...]).max()) > 0


def test_output_shape_and_bad_input():
  net = SuperResolutionNet(2, "attention", features=8, rngs=nnx.Rngs(0))
  out = net(jnp.zeros((3, 7, 9, 1)))
  chex.assert_shape(out, (3, 14, 18, 1))
  chex.assert_type(out, jnp.float32)
  with pytest.raises(ValueError, match=r"\[\.\.\., H, W, 1\]"):
    net(jnp.zeros((1, 8, 8, 3)))
  with pytest.raises(ValueError, match="upsampler"):
    SuperResolutionNet(2, "pixelshuffle", rngs=nnx.Rngs(0))


@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_attention_chunks_change_no_value_or_gradient(rng, layout):
  """`attention_chunk` is a memory option: the same network function."""
  x = jnp.asarray(rng.uniform(size=(4, 6, 5, 1)), jnp.float32)
  whole = SuperResolutionNet(2, "attention", features=8, rngs=nnx.Rngs(0))
  chunked = SuperResolutionNet(2, "attention", features=8, attention_chunk=2,
                               attention_chunk_layout=layout, rngs=nnx.Rngs(0))
  assert chunked.ups[0].batch_chunk == 2 and chunked.ups[0].chunk_layout == layout
  np.testing.assert_allclose(chunked(x), whole(x), atol=1e-6)
  loss = lambda m: jnp.mean((m(x) - 0.5) ** 2)
  chex.assert_trees_all_close(nnx.grad(loss)(chunked), nnx.grad(loss)(whole),
                              atol=1e-6, rtol=1e-5)
