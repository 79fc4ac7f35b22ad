"""Single-image super-resolution network (paper Sec. IV-B, Fig. 6; SPEC Sec. 3).

Y channel in, Y channel out: conv3x3(1->F) + PReLU, then log2(scale) blocks of
[ResBlock(conv3x3, ReLU, conv3x3, + skip), upsampler x2], then conv3x3(F->1).
The upsampler is `AttentionUpsample(F, F, 5, 2)` or, for the baseline,
`nnx.ConvTranspose(F, F, (5, 5), strides=(2, 2), padding='SAME')`, computed by
`PhasedConvTranspose` (same parameters and outputs, faster on CPU). With F = 128 the parameter
counts reproduce Table III: attention 0.35 / 0.69 / 1.04 M, deconvolution
0.71 / 1.41 / 2.12 M for scale 2 / 4 / 8.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax.models._count import count_params  # noqa: F401 (re-exported)
from attnup_jax import ops
from attnup_jax.nn import ROW_CHUNK, AttentionUpsample, PhasedConvTranspose
from attnup_jax.ops._checks import check_power_of_two

UPSAMPLERS = ("attention", "deconv")


class ResBlock(nnx.Module):
  """x + conv3x3(relu(conv3x3(x)))."""

  def __init__(self, features: int, *, dtype=None, kernel_grad: str = "matmul",
               rngs: nnx.Rngs):
    conv = lambda: nnx.Conv(features, features, (3, 3), padding="SAME",
                            dtype=dtype, conv_general_dilated=ops.conv2d_with(kernel_grad),
                            rngs=rngs)
    self.conv1, self.conv2 = conv(), conv()

  def __call__(self, x):
    return x + self.conv2(jax.nn.relu(self.conv1(x)))


def check_scale(scale: int) -> int:
  return check_power_of_two(scale, "scale", ": one x2 stage per octave")


class SuperResolutionNet(nnx.Module):
  """`[..., H, W, 1]` LR luminance in [0, 1] -> `[..., scale*H, scale*W, 1]`.

  Args:
    scale: 2, 4 or 8 (log2(scale) upsampling stages of stride 2).
    upsampler: "attention" (the paper's layer) or "deconv" (ConvTranspose).
    features: F, 128 in the paper.
    kernel_size: upsampler window K, 5 in the paper.
    global_skip: add the bicubic-upsampled input to the output (off in the
      paper; state it when reporting results). The tail conv is then
      zero-initialised, so the untrained network is exactly bicubic.
    dtype: computation dtype (e.g. jnp.bfloat16); parameters stay float32.
    kernel_grad: convolution kernel gradient, "matmul" (fast on CPU, the
      default) or "xla" (for GPU/TPU); see `ops.conv2d`.
    attention_row_chunk: the attention upsamplers' `row_chunk` (their
      derivatives taken a strip of that many low-resolution rows at a time,
      `ops.remat_rows`: less training memory than `nnx.ConvTranspose`, any
      device mesh), or None for the whole image (faster, more memory).
    attention_strip_update: their `strip_update`: None (by dtype, the least
      memory on CPU), "add" or "write" (the least memory on TPU).
    attention_chunk: the attention upsamplers' `batch_chunk` (images per
      rematerialised chunk; about half the layer's training memory, for a
      batch on one device; replaces the row strips), or None (the default).
    attention_chunk_layout: their `chunk_layout`, "contiguous" (one device)
      or "strided" (a batch sharded over D devices, D dividing the chunk).

  Example:
    >>> net = SuperResolutionNet(2, rngs=nnx.Rngs(0))
    >>> net(jnp.zeros((1, 24, 24, 1))).shape
    (1, 48, 48, 1)
  """

  def __init__(self, scale: int = 2, upsampler: str = "attention", *,
               features: int = 128, kernel_size: int = 5,
               global_skip: bool = False, dtype=None, kernel_grad: str = "matmul",
               attention_row_chunk: int | None = ROW_CHUNK,
               attention_strip_update: str | None = None,
               attention_chunk: int | None = None,
               attention_chunk_layout: str = "contiguous", rngs: nnx.Rngs):
    self.scale = check_scale(scale)
    if upsampler not in UPSAMPLERS:
      raise ValueError(f"`upsampler` must be one of {UPSAMPLERS}, got {upsampler!r}.")
    self.upsampler, self.global_skip, self.dtype = upsampler, global_skip, dtype
    conv2d = ops.conv2d_with(kernel_grad)
    self.head = nnx.Conv(1, features, (3, 3), padding="SAME", dtype=dtype,
                         conv_general_dilated=conv2d, rngs=rngs)
    self.act = nnx.PReLU(dtype=dtype)
    blocks, ups = [], []
    for _ in range(int(math.log2(scale))):
      blocks.append(ResBlock(features, dtype=dtype, kernel_grad=kernel_grad, rngs=rngs))
      if upsampler == "attention":
        ups.append(AttentionUpsample(features, features, kernel_size, 2,
                                     row_chunk=attention_row_chunk,
                                     strip_update=attention_strip_update,
                                     batch_chunk=attention_chunk,
                                     chunk_layout=attention_chunk_layout, dtype=dtype,
                                     rngs=rngs))
      else:
        ups.append(PhasedConvTranspose(features, features, kernel_size, 2,
                                       dtype=dtype, kernel_grad=kernel_grad, rngs=rngs))
    self.blocks, self.ups = nnx.List(blocks), nnx.List(ups)
    zero = dict(kernel_init=nnx.initializers.zeros_init()) if global_skip else {}
    self.tail = nnx.Conv(features, 1, (3, 3), padding="SAME", dtype=dtype,
                         conv_general_dilated=conv2d, rngs=rngs, **zero)

  def __call__(self, x: jax.Array) -> jax.Array:
    if x.ndim < 3 or x.shape[-1] != 1:
      raise ValueError(
          f"`x` must be [..., H, W, 1] (the Y channel), got shape {x.shape}.")
    y = self.act(self.head(x))
    for block, up in zip(self.blocks, self.ups):
      y = up(block(y))
    y = self.tail(y).astype(jnp.float32)
    if self.global_skip:
      lead = x.shape[:-3]
      h, w = x.shape[-3:-1]
      y = y + jax.image.resize(x.astype(jnp.float32),
                               lead + (self.scale * h, self.scale * w, 1), "bicubic")
    return y
