"""Deep Joint image Filtering baselines (Li et al., ECCV 2016; paper Table I).

    depth_lr [B, h, w, 1] --bicubic x M--> [B, H, W, 1] --CNN_T--> t [B, H, W, c_t]
    guide    [B, H, W, 3]                             --CNN_G--> g [B, H, W, c_t]
    out = CNN_F(concat(t, g))                                     [B, H, W, 1]

CNN_T / CNN_G: kernels 9, 1, 5, ReLU after each; CNN_F: kernels 9, 1, 5, ReLU
after each but the last. Widths (Table I): DJF [96, 48, 1] / [64, 32] + 1,
DJF+ [512, 256, 1] / [384, 192] + 1, DJFScaled+ [384, 192, 1] / [288, 144] + 1.
"""

from __future__ import annotations

from typing import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax.models.depth import (F_KERNELS, TG_KERNELS, ConvStack, bicubic,
                                     check_factor, check_fusion_args,
                                     check_inputs)


class DeepJointFilter(nnx.Module):
  """DJF: two CNN branches on the bicubic-upsampled depth and the RGB guide,
  fused by CNN_F. `depth_lr [..., H/M, W/M, 1]`, `guide [..., H, W, 3]` ->
  `[..., H, W, 1]` float32.

  The LR depth is upsampled with Keys bicubic (`bicubic_align='grid'`: LR
  sample m on HR pixel M*m, matching LR = hr[::M, ::M]; 'center' for bicubic
  downscaled LR). `residual=True` adds that bicubic upsampling to the output
  (DJFR-style) and zero-initialises the last conv, so training starts exactly
  at bicubic; off by default, as in the paper's DJF baseline. M only enters
  through the bicubic upsampling: the parameter count does not depend on it.

  Args:
    factor: M, a power of two (4, 8, 16).
    cnn_tg: CNN_T / CNN_G channels, three layers.
    cnn_f: CNN_F hidden channels (the final 1-channel conv is implied).
    residual: add the bicubic-upsampled input to the output.
    dtype: computation dtype; parameters stay float32.
    kernel_grad: convolution kernel gradient, "matmul" (CPU) or "xla"
      (GPU/TPU); see `ops.conv2d`.

  Example:
    >>> net = DeepJointFilter(4, rngs=nnx.Rngs(0))
    >>> net(jnp.zeros((2, 16, 16, 1)), jnp.zeros((2, 64, 64, 3))).shape
    (2, 64, 64, 1)
  """

  def __init__(self, factor: int, cnn_tg: Sequence[int] = (96, 48, 1),
               cnn_f: Sequence[int] = (64, 32), *, residual: bool = False,
               bicubic_align: str = "grid",
               tg_kernels: Sequence[int] = TG_KERNELS,
               f_kernels: Sequence[int] = F_KERNELS, dtype=None,
               kernel_grad: str = "matmul", rngs: nnx.Rngs):
    self.factor = check_factor(factor)
    cnn_tg, cnn_f = tuple(cnn_tg), tuple(cnn_f)
    check_fusion_args(cnn_f, f_kernels, bicubic_align)
    self.residual, self.bicubic_align, self.dtype = residual, bicubic_align, dtype
    # Branch outputs are linear (DJF's conv3 has no ReLU): a ReLU on a
    # 1-channel output leaves it dead at most pixels from initialisation.
    conv = dict(dtype=dtype, kernel_grad=kernel_grad, rngs=rngs)
    self.cnn_t = ConvStack(1, cnn_tg, tg_kernels, last_relu=False, **conv)
    self.cnn_g = ConvStack(3, cnn_tg, tg_kernels, last_relu=False, **conv)
    self.cnn_f = ConvStack(2 * cnn_tg[-1], cnn_f + (1,), f_kernels,
                           last_relu=False, zero_last=residual, **conv)

  def __call__(self, depth_lr: jax.Array, guide: jax.Array) -> jax.Array:
    """`depth_lr [..., h, w, 1]`, `guide [..., M*h, M*w, 3]` -> `[..., M*h, M*w, 1]`."""
    check_inputs(depth_lr, guide, self.factor)
    up = bicubic(depth_lr, self.factor, self.bicubic_align)   # [B, H, W, 1] f32
    t = self.cnn_t(up.astype(depth_lr.dtype))                 # [B, H, W, c_t]
    g = self.cnn_g(guide)                                     # [B, H, W, c_t]
    y = self.cnn_f(jnp.concatenate([t, g.astype(t.dtype)], -1)).astype(jnp.float32)
    return y + up if self.residual else y
