"""Linen versions of the layers, through `flax.nnx.bridge.to_linen`.

Same math and the same numbers: the NNX module runs inside a Linen module and
its parameters live in the Linen `params` collection (one sub-dict per NNX
attribute: `query/kernel`, `key/kernel`, `value/kernel`, `pos_y`, `pos_x`).

Example:
  >>> layer = attention_upsample_linen(64, 32, kernel_size=3, strides=2)
  >>> variables = layer.init(jax.random.key(0), jnp.ones((1, 8, 8, 64)))
  >>> layer.apply(variables, jnp.ones((1, 8, 8, 64))).shape
  (1, 16, 16, 32)
"""

from __future__ import annotations

from flax.nnx import bridge

from attnup_jax.nn._attention_conv import AttentionConv
from attnup_jax.nn._attention_upsample import AttentionUpsample
from attnup_jax.nn._guided import GuidedAttentionUpsample


def attention_upsample_linen(in_features, out_features, kernel_size=3,
                             strides=2, *, name=None, **kwargs):
  """A Linen module wrapping `AttentionUpsample` (same arguments)."""
  return bridge.to_linen(AttentionUpsample, in_features, out_features,
                         kernel_size, strides, name=name, **kwargs)


def guided_attention_upsample_linen(guide_features, in_features, out_features,
                                    kernel_size=3, strides=2, *, name=None,
                                    **kwargs):
  """A Linen module wrapping `GuidedAttentionUpsample`; call it as `(x, guide)`."""
  return bridge.to_linen(GuidedAttentionUpsample, guide_features, in_features,
                         out_features, kernel_size, strides, name=name, **kwargs)


def attention_conv_linen(in_features, out_features, kernel_size=3, *,
                         name=None, **kwargs):
  """A Linen module wrapping `AttentionConv` (same arguments)."""
  return bridge.to_linen(AttentionConv, in_features, out_features, kernel_size,
                         name=name, **kwargs)
