"""Bilateral attention: depth-guided upsampling whose attention starts out as
joint bilateral upsampling (JBU, Kopf et al. 2007) and learns from there.

Not the paper's network (that is `depth.JointAttentionUpsampler`): an option
for small training budgets. Shapes: B leading dims, h x w the LR grid,
H = M*h, W = M*w, T = 16 the 4 x 4 LR window of every HR pixel
(`attnup_jax.baselines._grid`), F guide features, C = F query/key channels.

    guide    [B, H, W, 3] --CNN_G--> f [B, H, W, F]
    q        = W_q f                         [B, H, W, C]   (W_q starts at 0)
    k_t      = W_k [f(M q_t), dev_t]         [B, h, w, T, C]
    logits   = JBU(sigma_s, sigma_r) + q . k_t / sqrt(C)        [B, h, M, w, M, T]
    a        = sum_t softmax(logits) d_t     [B, H, W, 1]   (holes excluded)
    b        = bicubic(d)                    [B, H, W, 1]   (grid-aligned)
    g, r     = CNN_R([f, dev(a), valid, (b - a) / s])       (last conv starts at 0)
    out      = a + sigmoid(g) (b - a) + s r

`dev_t = (d_t - mean of the window's valid samples) / s` and
`dev(a)_t = (d_t - a) / s` are the window's depths relative to a local
reference, scaled by `depth_scale` s: the learned terms see depth edges but
not the absolute depth, so they are unchanged by an offset of the whole map.
At initialisation the output is the mean of `baselines.jbu_upsample` (with
the given sigmas) and bicubic (W_q = 0 and CNN_R's last conv = 0, so the gate
sigmoid(g) is 1/2); the gate then learns where bicubic's smooth interpolation
is better (flat depth) and where the guide-weighted average is (edges).
sigma_s and sigma_r are learned (as logs). Bicubic reads holes as 0, so
where its taps hold a hole b is replaced by a.
"""

from __future__ import annotations

import math
from typing import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax.baselines import _grid
from attnup_jax.baselines.jbu import JBU_PARAMS, bilateral_logits, fill_empty
from attnup_jax.baselines.guided_filter import trusted_pixels
from attnup_jax.models.depth import (ConvStack, bicubic, check_factor,
                                     check_inputs)


class BilateralAttentionUpsampler(nnx.Module):
  """JBU-initialised guided attention over each HR pixel's 4 x 4 LR samples.

  `depth_lr [..., h, w, 1]` (normalised, 0 = hole), `guide [..., M*h, M*w, 3]`
  -> `[..., M*h, M*w, 1]` float32. The parameter count does not depend on M.

  Args:
    factor: M, a power of two.
    features: F, CNN_G's output channels and the query/key width.
    guide_channels: CNN_G's hidden channels (ReLU); then a 1x1 conv to F
      (linear).
    refine_channels: CNN_R's hidden channels (ReLU), then a conv to the gate
      and the residual (2 channels), zero-initialised.
    guide_kernels, refine_kernels: their kernel sizes (CNN_G: one per hidden
      layer, 9 then 3 by default, so a guide feature sees 11 x 11 pixels;
      CNN_R: one per layer, its last included).
    depth_scale: s, the depth difference (normalised units) the learned terms
      see as 1 (0.05 = 200 mm on RGB-D-D, 12.75 levels on 8-bit maps).
    sigma_spatial, sigma_range: initial JBU sigmas (LR pixels; guide RGB in
      [0, 1]); None: `baselines.JBU_PARAMS[factor]` (tuned on RGB-D-D train).
    dtype: computation dtype of the convolutions; parameters stay float32.
    kernel_grad: convolution kernel gradient, "matmul" (fast on CPU, the
      default) or "xla" (for GPU/TPU); see `ops.conv2d`.

  Example:
    >>> net = BilateralAttentionUpsampler(4, rngs=nnx.Rngs(0))
    >>> net(jnp.ones((2, 8, 8, 1)), jnp.zeros((2, 32, 32, 3))).shape
    (2, 32, 32, 1)
  """

  def __init__(self, factor: int, features: int = 16,
               guide_channels: Sequence[int] = (32, 32),
               refine_channels: Sequence[int] = (32, 32), *,
               guide_kernels: Sequence[int] = (9, 3),
               refine_kernels: Sequence[int] = (3, 3, 3),
               depth_scale: float = 0.05, sigma_spatial: float | None = None,
               sigma_range: float | None = None, dtype=None,
               kernel_grad: str = "matmul", rngs: nnx.Rngs):
    self.factor = check_factor(factor)
    guide_channels, refine_channels = tuple(guide_channels), tuple(refine_channels)
    init = JBU_PARAMS.get(self.factor, JBU_PARAMS[max(JBU_PARAMS)])
    s_s = init["sigma_spatial"] if sigma_spatial is None else sigma_spatial
    s_r = init["sigma_range"] if sigma_range is None else sigma_range
    if min(s_s, s_r, depth_scale) <= 0:
      raise ValueError(f"sigma_spatial={s_s}, sigma_range={s_r} and depth_scale="
                       f"{depth_scale} must be positive.")
    self.features, self.depth_scale, self.dtype = features, depth_scale, dtype
    self.log_sigma_spatial = nnx.Param(jnp.log(jnp.float32(s_s)))
    self.log_sigma_range = nnx.Param(jnp.log(jnp.float32(s_r)))
    guide_kernels, refine_kernels = tuple(guide_kernels), tuple(refine_kernels)
    if (len(guide_kernels) != len(guide_channels)
        or len(refine_kernels) != len(refine_channels) + 1):
      raise ValueError(f"need one kernel per CNN_G hidden layer and one per CNN_R "
                       f"layer (its last included): guide {guide_channels} / "
                       f"{guide_kernels}, refine {refine_channels} / {refine_kernels}.")
    self.cnn_g = ConvStack(3, guide_channels + (features,), guide_kernels + (1,),
                           last_relu=False, dtype=dtype,
                           kernel_grad=kernel_grad, rngs=rngs)
    self.query = nnx.Linear(features, features, use_bias=False, dtype=dtype,
                            kernel_init=nnx.initializers.zeros_init(), rngs=rngs)
    self.key = nnx.Linear(features + 1, features, use_bias=False, dtype=dtype,
                          rngs=rngs)
    self.cnn_r = ConvStack(features + 2 * _grid.T + 1, refine_channels + (2,),
                           refine_kernels, last_relu=False,
                           zero_last=True, dtype=dtype,
                           kernel_grad=kernel_grad, rngs=rngs)

  def __call__(self, depth_lr: jax.Array, guide: jax.Array) -> jax.Array:
    """`[..., h, w, 1]`, `[..., M*h, M*w, 3]` -> `[..., M*h, M*w, 1]` float32."""
    check_inputs(depth_lr, guide, self.factor)
    m, f32 = self.factor, jnp.float32
    s = f32(self.depth_scale)
    d = depth_lr.astype(f32)
    valid = d > 0                                               # [.., h, w, 1]
    d_nb, inside = _grid.window(d)                              # [.., h,w,T,1]
    v_nb, _ = _grid.window(valid)
    mask = inside & v_nb[..., 0]                                # [.., h, w, T]
    mk = mask[..., None].astype(f32)
    ref = (d_nb * mk).sum(-2, keepdims=True) / jnp.maximum(
        mk.sum(-2, keepdims=True), f32(1))                      # [.., h,w,1,1]
    dev = (d_nb - ref) / s * mk                                 # [.., h,w,T,1]

    feats = self.cnn_g(guide if self.dtype is None else guide.astype(self.dtype))
    q = _grid.to_phases(self.query(feats), m).astype(f32)       # [.., h,M,w,M,C]
    f_nb, _ = _grid.window(feats[..., ::m, ::m, :])             # [.., h,w,T,F]
    k = self.key(jnp.concatenate([f_nb, dev.astype(f_nb.dtype)], -1)).astype(f32)
    learned = jnp.einsum("...hywxc,...hwtc->...hywxt", q, k) / f32(
        math.sqrt(self.features))
    logits = bilateral_logits(guide, m, jnp.exp(self.log_sigma_spatial[...]),
                              jnp.exp(self.log_sigma_range[...])) + learned
    a, any_valid = _grid.masked_average(logits, d_nb, mask)     # [.., H, W, 1]
    a = fill_empty(a, any_valid, d, valid)

    rel = (d_nb[..., :, None, :, None, :, 0]
           - _grid.to_phases(a, m)) / s                         # [.., h,M,w,M,T]
    mk_hr = jnp.broadcast_to(mask[..., :, None, :, None, :], rel.shape).astype(f32)
    x = jnp.concatenate([_grid.from_phases(rel * mk_hr),
                         _grid.from_phases(mk_hr)], -1)         # [.., H, W, 2T]
    b = jnp.where(trusted_pixels(d, m), bicubic(d, m, "grid"), a)
    x = jnp.concatenate([feats.astype(f32), x, (b - a) / s], -1)
    g, r = jnp.split(self.cnn_r(x if self.dtype is None else x.astype(self.dtype))
                     .astype(f32), 2, -1)
    return a + jax.nn.sigmoid(g) * (b - a) + s * r
