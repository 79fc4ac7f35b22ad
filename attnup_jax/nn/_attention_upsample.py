"""`AttentionUpsample`: the drop-in replacement for a strided transposed convolution."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax import ops
from attnup_jax.nn import _common
from attnup_jax.ops._attention_windows import row_reach
from attnup_jax.ops._checks import check_chunk, check_chunk_layout, check_strip_update

ROW_CHUNK = 6


class AttentionUpsample(nnx.Module):
  """Attention-based upsampling layer (paper Sec. III-B, Eqs. 8-12).

  A drop-in for `nnx.ConvTranspose(in_features, out_features, (K, K),
  strides=(S, S), padding='SAME')`: `[..., H, W, Cin] -> [..., S*H, S*W, Cout]`.
  Queries, keys and values are 1x1 convolutions of the input; the queries are
  their bilinear upsampling (projecting first is exact: both are linear),
  which `ops.attention_upsample_bilinear` never builds. Parameters:
  `3*Cin*Cout` (+ `3*Cout` with `use_bias`) + `K*Cout`. `impl` is that
  op's: "fast" (default), "shifted", "highres", "loop" or "reference".

  Training memory: by default (`row_chunk=6`) the derivatives are taken in
  row strips (`ops.remat_rows`): the projections and the attention of at
  most `row_chunk` low-resolution rows (plus one row of context on each
  side) at a time, recomputed in the backward, so training needs less
  memory than `nnx.ConvTranspose` (0.70x at the paper's SR setting) for
  about 1.05-1.4x the time of `row_chunk=None` (the whole image at once) on
  CPU (docs/BENCHMARKS.md). A plain call (inference) always runs the whole
  image at once. The strips cut image rows, not the batch, so they suit any
  device mesh. `strip_update` is how each strip's output is placed (the
  same values and derivatives): None (default) adds float32 strips into
  place and writes narrower ones over the output, the least memory on CPU;
  on TPU pass "write" (SR train step 3.57 against 5.20 MiB per example).

  `batch_chunk=G` replaces the strips by batch chunks (`ops.remat_chunks`):
  G images at a time, the same function, values and gradients; on one
  device the least memory and the fastest (docs/BENCHMARKS.md).
  `chunk_layout="contiguous"` (default) makes chunk i images i*G .. i*G +
  G - 1; "strided" makes it images i, i + B/G, ..., the layout that keeps a
  batch sharded over D devices where it is when D divides G (no
  all-gather).

  Example:
    >>> layer = AttentionUpsample(64, 32, kernel_size=3, strides=2, rngs=nnx.Rngs(0))
    >>> layer(jnp.ones((4, 16, 16, 64))).shape
    (4, 32, 32, 32)
  """

  def __init__(self, in_features: int, out_features: int, kernel_size=3,
               strides=2, *, use_bias: bool = False, scale: float | None = None,
               impl: str = "fast", row_chunk: int | None = ROW_CHUNK,
               strip_update: str | None = None, batch_chunk: int | None = None,
               chunk_layout: str = "contiguous", dtype=None,
               param_dtype=jnp.float32, rngs: nnx.Rngs):
    self.kernel_size, self.strides = _common.window_args(kernel_size, strides)
    self.in_features = in_features
    self.out_features = _common.check_out_features(out_features)
    self.scale, self.impl, self.dtype = scale, impl, dtype
    self.row_chunk = check_chunk(row_chunk, "row_chunk")
    self.strip_update = check_strip_update(strip_update)
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
    pos_y, pos_x = self.pos_y[...], self.pos_x[...]

    # Parameters are cast inside: their gradients are summed over the strips
    # or chunks in param_dtype, not in a narrower `dtype`.
    def attend(x, kernel, bias, pos_y, pos_x):
      q, k, v = _common.project_qkv(x, kernel, bias, self.dtype)
      return ops.attention_upsample_bilinear(
          q, k, v, _common.cast(pos_y, self.dtype), _common.cast(pos_x, self.dtype),
          stride=self.strides, kernel_size=self.kernel_size, scale=self.scale,
          impl=self.impl, return_weights=return_weights)

    lead = x.shape[:-3]
    if self.batch_chunk is None or not lead:
      return ops.remat_rows(attend, x, self.row_chunk, kernel, bias, pos_y, pos_x,
                            halo=row_reach(self.strides, self.kernel_size),
                            stride=self.strides, update=self.strip_update)
    out = ops.remat_chunks(attend, x.reshape((-1,) + x.shape[-3:]), self.batch_chunk,
                           kernel, bias, pos_y, pos_x, layout=self.chunk_layout)
    return jax.tree.map(lambda o: o.reshape(lead + o.shape[1:]), out)
