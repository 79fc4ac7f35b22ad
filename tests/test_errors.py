"""Bad input raises ValueError naming the problem, never a NaN (SPEC Sec. 1)."""

import jax.numpy as jnp
import pytest
from flax import nnx

from attnup_jax import nn, ops


def inputs(s=2, h=4, w=4, c=4, d=4, k=3):
  return (jnp.ones((s * h, s * w, c)), jnp.ones((h, w, c)), jnp.ones((h, w, d)),
          jnp.zeros((k, c // 2)), jnp.zeros((k, c // 2)))


@pytest.mark.parametrize("kernel,match", [(4, "odd"), (0, "odd")])
def test_even_or_zero_kernel(kernel, match):
  with pytest.raises(ValueError, match=match):
    ops.attention_upsample(*inputs(k=3), stride=2, kernel_size=kernel)


@pytest.mark.parametrize("s,k", [(2, 1), (3, 3), (4, 5)])
def test_kernel_smaller_than_2s_minus_1(s, k):
  with pytest.raises(ValueError, match=rf"kernel_size.*{k}.*stride={s}.*{2 * s - 1}"):
    ops.attention_upsample(*inputs(s=s, k=k), stride=s, kernel_size=k)


def test_odd_channels():
  with pytest.raises(ValueError, match="even"):
    ops.attention_upsample(jnp.ones((8, 8, 3)), jnp.ones((4, 4, 3)),
                           jnp.ones((4, 4, 3)), jnp.zeros((3, 1)),
                           jnp.zeros((3, 1)), stride=2, kernel_size=3)


@pytest.mark.parametrize("stride", [0, -1, 1.5])
def test_non_positive_or_fractional_stride(stride):
  with pytest.raises(ValueError, match="stride"):
    ops.attention_upsample(*inputs(), stride=stride, kernel_size=3)
  with pytest.raises(ValueError, match="stride"):
    ops.zero_upsample(jnp.ones((2, 2, 1)), stride)


def test_query_of_wrong_size_names_the_shapes():
  q, k, v, py, px = inputs()
  with pytest.raises(ValueError, match=r"q.shape=\(7, 8, 4\)"):
    ops.attention_upsample(q[:7], k, v, py, px, stride=2, kernel_size=3)


def test_value_grid_mismatch():
  q, k, v, py, px = inputs()
  with pytest.raises(ValueError, match="v.shape"):
    ops.attention_upsample(q, k, v[:3], py, px, stride=2, kernel_size=3)


def test_position_table_shape():
  q, k, v, py, px = inputs()
  with pytest.raises(ValueError, match="pos_y"):
    ops.attention_upsample(q, k, v, py[:2], px, stride=2, kernel_size=3)


def test_batch_mismatch():
  q, k, v, py, px = inputs()
  with pytest.raises(ValueError, match="batch"):
    ops.attention_upsample(q[None], k[None], jnp.stack([v, v]), py, px,
                           stride=2, kernel_size=3)


def test_bad_impl():
  with pytest.raises(ValueError, match="impl"):
    ops.attention_upsample(*inputs(), stride=2, kernel_size=3, impl="cuda")


def test_layer_errors():
  with pytest.raises(ValueError, match="kernel_size"):
    nn.AttentionUpsample(8, 8, kernel_size=3, strides=3, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="out_features"):
    nn.AttentionUpsample(8, 7, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="strides"):
    nn.AttentionUpsample(8, 8, 5, (2, 3), rngs=nnx.Rngs(0))
  layer = nn.AttentionUpsample(8, 8, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match=r"in_features=8.*\(1, 4, 4, 3\)"):
    layer(jnp.ones((1, 4, 4, 3)))


def test_guide_of_the_wrong_size():
  layer = nn.GuidedAttentionUpsample(3, 4, 4, 3, 2, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match=r"guide.*\[..., 8, 8, C\].*\(1, 10, 8, 3\)"):
    layer(jnp.ones((1, 4, 4, 4)), jnp.ones((1, 10, 8, 3)))
  with pytest.raises(ValueError, match="guide"):
    layer(jnp.ones((1, 4, 4, 4)), jnp.ones((1, 8, 8, 5)))


def test_bilinear_queries_must_be_on_the_key_grid():
  q, k, v, py, px = inputs()
  with pytest.raises(ValueError, match=r"\[\.\.\., H, W, C\].*q.shape=\(8, 8, 4\)"):
    ops.attention_upsample_bilinear(q, k, v, py, px, stride=2, kernel_size=3)
  with pytest.raises(ValueError, match="impl"):
    ops.attention_upsample_bilinear(k, k, v, py, px, stride=2, kernel_size=3,
                                    impl="cuda")


def test_loop_impl_has_no_weights():
  with pytest.raises(ValueError, match="loop.*weights"):
    ops.attention_upsample(*inputs(), stride=2, kernel_size=3, impl="loop",
                           return_weights=True)
