"""`AttentionUpsample`: the drop-in replacement for a strided transposed convolution."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax import ops
from attnup_jax.nn import _common
from attnup_jax.ops._checks import check_chunk, check_chunk_layout


class AttentionUpsample(nnx.Module):
  """Attention-based upsampling layer (paper Sec. III-B, Eqs. 8-12).

  A drop-in for `nnx.ConvTranspose(in_features, out_features, (K, K),
  strides=(S, S), padding='SAME')`: `[..., H, W, Cin] -> [..., S*H, S*W, Cout]`.
  Queries, keys and values are 1x1 convolutions of the input; the queries are
  their bilinear upsampling (projecting first is exact: both are linear),
  which `ops.attention_upsample_bilinear` never builds. Parameters:
  `3*Cin*Cout` (+ `3*Cout` with `use_bias`) + `K*Cout`. `impl` is that
  op's: "fast" (default), "shifted", "highres", "loop" or "reference".

  `batch_chunk=G` computes the projections and the attention G images at a
  time (`ops.remat_chunks`): the same function, values and gradients, but
  the backward recomputes one chunk at a time, so training needs about half
  the memory of `nnx.ConvTranspose` and is no slower on CPU
  (docs/BENCHMARKS.md). `chunk_layout="contiguous"` (default) makes chunk i
  images i*G .. i*G + G - 1; "strided" makes it images i, i + B/G, ..., the
  layout that keeps a batch sharded over several devices where it is (no
  all-gather).

  Example:
    >>> layer = AttentionUpsample(64, 32, kernel_size=3, strides=2, rngs=nnx.Rngs(0))
    >>> layer(jnp.ones((4, 16, 16, 64))).shape
    (4, 32, 32, 32)
  """

  def __init__(self, in_features: int, out_features: int, kernel_size=3,
               strides=2, *, use_bias: bool = False, scale: float | None = None,
               impl: str = "fast", batch_chunk: int | None = None,
               chunk_layout: str = "contiguous", dtype=None,
               param_dtype=jnp.float32, rngs: nnx.Rngs):
    self.kernel_size, self.strides = _common.window_args(kernel_size, strides)
    self.in_features = in_features
    self.out_features = _common.check_out_features(out_features)
    self.scale, self.impl, self.dtype = scale, impl, dtype
    self.batch_chunk = check_chunk(batch_chunk)
    self.chunk_layout = check_chunk_layout(chunk_layout, "chunk_layout")
    proj = lambda: _common.projection(in_features, out_features, use_bias,
                                      dtype, param_dtype, rngs)
    self.query, self.key, self.value = proj(), proj(), proj()
    self.pos_y, self.pos_x = _common.position_params(
        self.kernel_size, out_features, param_dtype, rngs)

  def __call__(self, x: jax.Array, *, return_weights: bool = False):
    """x `[..., H, W, Cin]` -> `[..., S*H, S*W, Cout]` (and weights
    `[..., S*H, S*W, K*K]` when `return_weights`)."""
    _common.check_features(x, self.in_features)
    kernel, bias = _common.qkv_params(self.query, self.key, self.value)
    pos_y = _common.cast(self.pos_y[...], self.dtype)
    pos_x = _common.cast(self.pos_x[...], self.dtype)

    def attend(x, kernel, bias, pos_y, pos_x):
      q, k, v = _common.project_qkv(x, kernel, bias, self.dtype)
      return ops.attention_upsample_bilinear(
          q, k, v, pos_y, pos_x, stride=self.strides,
          kernel_size=self.kernel_size, scale=self.scale, impl=self.impl,
          return_weights=return_weights)

    lead = x.shape[:-3]
    if self.batch_chunk is None or not lead:
      return attend(x, kernel, bias, pos_y, pos_x)
    out = ops.remat_chunks(attend, x.reshape((-1,) + x.shape[-3:]), self.batch_chunk,
                           kernel, bias, pos_y, pos_x, layout=self.chunk_layout)
    return jax.tree.map(lambda o: o.reshape(lead + o.shape[1:]), out)
