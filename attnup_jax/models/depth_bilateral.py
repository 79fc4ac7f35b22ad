"""Bilateral attention: depth-guided upsampling whose attention starts out as
joint bilateral upsampling (JBU, Kopf et al. 2007) and learns from there.

Not the paper's network (that is `depth.JointAttentionUpsampler`): an option
for small training budgets. Shapes: B leading dims, h x w the LR grid,
H = M*h, W = M*w, T = 16 the 4 x 4 LR window of every HR pixel
(`attnup_jax.baselines._grid`), P = M*M the HR pixels of one LR cell.

    x        = [cells(guide) - guide(q), dev_t, valid_t, guide(q)]   [B, h, w, 3P + 2T + 3]
    z        = CNN_C(x)                      [B, h, w, P (T + 1)]   (3x3 convs, last starts at 0)
    logits   = JBU(sigma_s, sigma_r) + z[..., :T]                   [B, h, M, w, M, T]
    out      = sum_t softmax(logits) d_t + s z[..., T]              [B, H, W, 1]   (holes excluded)

`cells(guide)` is the guide's M x M pixels of each LR cell stacked as
channels (space-to-depth) and `guide(q)` its colour at the cell's LR sample
q = (M*m, M*n), so the network sees colour differences, not colours.
`dev_t = (d_t - mean of the window's valid samples) / s` are the window's
depths relative to their mean, scaled by `depth_scale` s: the learned terms
see depth edges but not the absolute depth, so an offset of the whole map
offsets the output. CNN_C runs on the LR grid (M*M times fewer pixels than
the HR grid) and predicts, for each HR pixel of its cell, a correction of
the 16 JBU logits (which LR samples to trust across a depth edge) and a
small residual. At initialisation the output is `baselines.jbu_upsample`
with the given sigmas; sigma_s and sigma_r are learned (as logs).
"""

from __future__ import annotations

from typing import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax.baselines import _grid
from attnup_jax.baselines.jbu import JBU_PARAMS, bilateral_logits, fill_empty
from attnup_jax.models.depth import ConvStack, check_factor, check_inputs


def cells(x_hr: jax.Array, factor: int) -> jax.Array:
  """Space-to-depth: `[..., M*h, M*w, C]` -> `[..., h, w, M*M*C]`, channel
  `(ry*M + rx)*C + c` = pixel (M*m + ry, M*n + rx)."""
  p = _grid.to_phases(x_hr, factor)                            # [.., h,M,w,M,C]
  *lead, h, m, w, n, c = p.shape
  return jnp.swapaxes(p, -4, -3).reshape(*lead, h, w, m * n * c)


def uncells(z: jax.Array, factor: int) -> jax.Array:
  """`[..., h, w, M*M*C]` -> `[..., h, M, w, M, C]` (inverse of `cells`,
  in `_grid`'s phase layout)."""
  *lead, h, w, k = z.shape
  z = z.reshape(*lead, h, w, factor, factor, k // (factor * factor))
  return jnp.swapaxes(z, -4, -3)


class BilateralAttentionUpsampler(nnx.Module):
  """JBU-initialised attention over each HR pixel's 4 x 4 LR samples, its
  logits corrected by a CNN on the LR grid.

  `depth_lr [..., h, w, 1]` (normalised, 0 = hole), `guide [..., M*h, M*w, 3]`
  (RGB in [0, 1]) -> `[..., M*h, M*w, 1]` float32.

  Args:
    factor: M, a power of two.
    channels: CNN_C's hidden channels (3x3 convs, ReLU), on the LR grid.
    head_kernel: kernel size of CNN_C's last conv (to M*M*(T + 1) channels,
      zero-initialised); None: 3 up to x8, 1 above (at x16 its 4352 outputs
      would dominate the cost).
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

  def __init__(self, factor: int, channels: Sequence[int] = (64, 64, 64, 64), *,
               head_kernel: int | None = None, depth_scale: float = 0.05,
               sigma_spatial: float | None = None,
               sigma_range: float | None = None, dtype=None,
               kernel_grad: str = "matmul", rngs: nnx.Rngs):
    self.factor = check_factor(factor)
    channels = tuple(channels)
    head_kernel = (3 if self.factor <= 8 else 1) if head_kernel is None else head_kernel
    init = JBU_PARAMS.get(self.factor, JBU_PARAMS[max(JBU_PARAMS)])
    s_s = init["sigma_spatial"] if sigma_spatial is None else sigma_spatial
    s_r = init["sigma_range"] if sigma_range is None else sigma_range
    if min(s_s, s_r, depth_scale) <= 0:
      raise ValueError(f"sigma_spatial={s_s}, sigma_range={s_r} and depth_scale="
                       f"{depth_scale} must be positive.")
    if not channels or head_kernel < 1 or head_kernel % 2 == 0:
      raise ValueError(f"need at least one hidden CNN_C layer and an odd "
                       f"head_kernel, got channels={channels}, "
                       f"head_kernel={head_kernel}.")
    self.depth_scale, self.dtype = depth_scale, dtype
    self.log_sigma_spatial = nnx.Param(jnp.log(jnp.float32(s_s)))
    self.log_sigma_range = nnx.Param(jnp.log(jnp.float32(s_r)))
    p, t = self.factor ** 2, _grid.T
    conv = dict(dtype=dtype, kernel_grad=kernel_grad, rngs=rngs)
    self.cnn_c = ConvStack(3 * p + 2 * t + 3, channels, (3,) * len(channels),
                           **conv)
    self.head = ConvStack(channels[-1], (p * (t + 1),), (head_kernel,),
                          last_relu=False, zero_last=True, **conv)

  def __call__(self, depth_lr: jax.Array, guide: jax.Array, *,
               return_weights: bool = False):
    """`[..., h, w, 1]`, `[..., M*h, M*w, 3]` -> `[..., M*h, M*w, 1]` float32;
    with `return_weights`, also the attention weights `[..., M*h, M*w, T]`
    over each HR pixel's window (sample t = 4*i + j at LR offset
    (OFFSETS[i], OFFSETS[j]) from its cell, `_grid.OFFSETS`; 0 at holes and
    outside the image), the softmax that made the output."""
    check_inputs(depth_lr, guide, self.factor)
    m, f32, t = self.factor, jnp.float32, _grid.T
    s = f32(self.depth_scale)
    d, g = depth_lr.astype(f32), guide.astype(f32)
    valid = d > 0                                               # [.., h, w, 1]
    d_nb, inside = _grid.window(d)                              # [.., h,w,T,1]
    v_nb, _ = _grid.window(valid)
    mask = inside & v_nb[..., 0]                                # [.., h, w, T]
    mk = mask.astype(f32)
    ref = (d_nb[..., 0] * mk).sum(-1, keepdims=True) / jnp.maximum(
        mk.sum(-1, keepdims=True), f32(1))                      # [.., h, w, 1]
    dev = (d_nb[..., 0] - ref) / s * mk                         # [.., h, w, T]
    g_q = g[..., ::m, ::m, :]                                   # [.., h, w, 3]
    rel = cells(g, m) - jnp.tile(g_q, (1,) * (g.ndim - 1) + (m * m,))
    x = jnp.concatenate([rel, dev, mk, g_q], -1)                # [.., h,w,3P+2T+3]
    z = self.head(self.cnn_c(x if self.dtype is None else x.astype(self.dtype)))
    z = uncells(z.astype(f32), m)                               # [.., h,M,w,M,T+1]
    logits = bilateral_logits(g, m, jnp.exp(self.log_sigma_spatial[...]),
                              jnp.exp(self.log_sigma_range[...])) + z[..., :t]
    wgt = _grid.masked_softmax(logits, mask)                    # [.., h,M,w,M,T]
    out, any_valid = _grid.weighted_average(wgt, d_nb, mask)    # [.., H, W, 1]
    out = fill_empty(out, any_valid, d, valid) + s * _grid.from_phases(z[..., t:])
    return (out, _grid.from_phases(wgt)) if return_weights else out
