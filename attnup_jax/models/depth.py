"""Attention-based depth-guided joint upsampling (paper Sec. IV-A, Fig. 3,
Algorithm 1, Table I; SPEC Sec. 4).

Shapes: B batch (any number of leading dims), h x w the LR grid, H = M*h and
W = M*w the HR grid, F the feature width (last channel count of CNN_T/CNN_G).

    depth_lr [B, h, w, 1] --CNN_T--> v [B, h, w, F]
    guide    [B, H, W, 3] --CNN_G--> g [B, H, W, F]
    for each of log2(M) stages (resolution r -> 2r):
      g_ds   = avg_pool(g, H / 2r)                    [B, 2r, 2r, F]
      q, k   = split(CNN_M(concat(zero_upsample(v, 2), g_ds)))   2 x [B, 2r, 2r, F]
      v      = relu(attention_upsample(q, k[::2, ::2], v))       [B, 2r, 2r, F]
    out      = CNN_F(v)                                [B, H, W, 1]

Also the pieces the DJF baselines share (`ConvStack`, input checks, bicubic).
"""

from __future__ import annotations

import math
from typing import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax import ops
from attnup_jax.ops import area_downsample as avg_pool
from attnup_jax.ops._checks import check_kernel_size, check_power_of_two

TG_KERNELS = (9, 1, 5)      # CNN_T / CNN_G, as DJF (Li et al. 2016)
F_KERNELS = (9, 1, 5)       # CNN_F, as DJF's fusion branch
POSITION_INIT = nnx.initializers.normal(stddev=1.0)   # as attnup_jax.nn


# ---------------------------------------------------------------- shared pieces

def check_fusion_args(cnn_f, f_kernels, bicubic_align) -> None:
  """CNN_F needs one kernel size per layer plus the final 1-channel conv."""
  if len(f_kernels) != len(cnn_f) + 1:
    raise ValueError(f"need len(cnn_f) + 1 = {len(cnn_f) + 1} CNN_F kernel sizes "
                     f"(the final 1-channel conv included), got {f_kernels}.")
  if bicubic_align not in ("grid", "center"):
    raise ValueError(f"bicubic_align must be 'grid' or 'center', got "
                     f"{bicubic_align!r}.")


def check_factor(factor) -> int:
  """The upsampling factor M as an int; ValueError unless a power of two >= 2."""
  return check_power_of_two(factor, "factor",
                            ": the network upsamples in x2 stages")


def check_inputs(depth_lr, guide, factor: int, guide_channels: int = 3) -> None:
  """ValueError unless depth_lr is `[..., h, w, 1]` and guide `[..., M*h, M*w, 3]`."""
  if getattr(depth_lr, "ndim", 0) < 3 or depth_lr.shape[-1] != 1:
    raise ValueError(
        f"`depth_lr` must be [..., h, w, 1] (NHWC, one depth channel), got shape "
        f"{getattr(depth_lr, 'shape', None)}. Add a trailing channel axis: "
        f"depth_lr[..., None].")
  if getattr(guide, "ndim", 0) != depth_lr.ndim or guide.shape[-1] != guide_channels:
    raise ValueError(
        f"`guide` must be [..., H, W, {guide_channels}] (NHWC RGB) with the same "
        f"rank as depth_lr {depth_lr.shape}, got shape "
        f"{getattr(guide, 'shape', None)}.")
  h, w = depth_lr.shape[-3:-1]
  if guide.shape[-3:-1] != (factor * h, factor * w):
    raise ValueError(
        f"`guide` must be factor={factor} times the size of `depth_lr`: expected "
        f"[..., {factor * h}, {factor * w}, {guide_channels}] for depth_lr.shape="
        f"{depth_lr.shape}, got guide.shape={guide.shape}. Crop the HR pair to a "
        f"multiple of the factor (mod_crop) and take depth_lr = hr[::M, ::M].")
  if guide.shape[:-3] != depth_lr.shape[:-3]:
    raise ValueError(f"batch dimensions differ: depth_lr.shape={depth_lr.shape}, "
                     f"guide.shape={guide.shape}.")


def bicubic(depth_lr: jax.Array, factor: int, align: str) -> jax.Array:
  """`[..., h, w, 1]` -> `[..., M*h, M*w, 1]` float32, as the bicubic baseline.

  `align='grid'` puts LR sample m on HR pixel M*m (matches `hr[::M, ::M]`);
  `'center'` is `jax.image.resize(..., 'cubic')` (matches bicubic downscaling).
  """
  return ops.bicubic_upsample(depth_lr.astype(jnp.float32), factor, align)


class ConvStack(nnx.Module):
  """SAME-padded convolutions, ReLU after each (after the last too unless
  `last_relu=False`). `[..., H, W, in_features]` -> `[..., H, W, channels[-1]]`.
  `zero_last=True` initialises the last conv to zero (its output starts at 0)."""

  def __init__(self, in_features: int, channels: Sequence[int],
               kernels: Sequence[int], *, last_relu: bool = True,
               zero_last: bool = False, dtype=None, kernel_grad: str = "matmul",
               rngs: nnx.Rngs):
    channels, kernels = tuple(channels), tuple(kernels)
    if len(channels) != len(kernels) or not channels:
      raise ValueError(f"need one kernel size per layer, got channels={channels} "
                       f"and kernels={kernels}.")
    ins = (in_features,) + channels[:-1]
    zero = dict(kernel_init=nnx.initializers.zeros_init())
    self.convs = nnx.List([
        nnx.Conv(cin, cout, (k, k), padding="SAME", dtype=dtype,
                 conv_general_dilated=ops.conv2d_with(kernel_grad), rngs=rngs,
                 **(zero if zero_last and i == len(channels) - 1 else {}))
        for i, (cin, cout, k) in enumerate(zip(ins, channels, kernels))])
    self.last_relu = last_relu

  def __call__(self, x: jax.Array) -> jax.Array:
    n = len(self.convs)
    for i, conv in enumerate(self.convs):
      x = conv(x)
      if i < n - 1 or self.last_relu:
        x = jax.nn.relu(x)
    return x


# ---------------------------------------------------------------- the model

class _MixStage(nnx.Module):
  """CNN_M (3x3 convs, ReLU after each, last has 2F channels) + the position
  encodings `pos_y`, `pos_x` `[K, F/2]` of one attention-upsampling stage."""

  def __init__(self, features: int, cnn_m: Sequence[int], kernel_size: int,
               kernel_m: int, *, dtype, kernel_grad: str = "matmul", rngs: nnx.Rngs):
    self.cnn_m = ConvStack(2 * features, cnn_m, (kernel_m,) * len(cnn_m),
                           dtype=dtype, kernel_grad=kernel_grad, rngs=rngs)
    shape = (kernel_size, features // 2)
    self.pos_y = nnx.Param(POSITION_INIT(rngs.params(), shape, jnp.float32))
    self.pos_x = nnx.Param(POSITION_INIT(rngs.params(), shape, jnp.float32))


class JointAttentionUpsampler(nnx.Module):
  """Depth-guided joint upsampling with attention (Algorithm 1).

  `depth_lr [..., H/M, W/M, 1]`, `guide [..., H, W, 3]` -> `[..., H, W, 1]`.

  CNN_T (on the LR depth) and CNN_G (on the HR guide): kernels 9, 1, 5 and
  channels `cnn_tg = [96, 48, F]`, ReLU after each. Then log2(M) x2 stages:
  the stage input v (CNN_T's output first) is zero-upsampled, concatenated with
  CNN_G's output average-pooled to the stage's output resolution, and CNN_M
  (3x3 convs with channels `cnn_m`, the last = 2F) gives [q, k]; the output is
  masked windowed attention (SPEC Sec. 1) with queries q, keys k read at the
  valid positions k[::2, ::2] and values v itself (no value projection),
  followed by ReLU. CNN_F: convs with channels `cnn_f` (kernels 9, 1, 5 for two
  hidden layers, as DJF) and ReLU, then a conv to 1 channel (no ReLU).

  Choices the paper leaves open (SPEC Sec. 4 says: write them down):
    - Window `kernel_size` K = 5 (>= 2*2-1 = 3 needed). K = 3 would leave the
      output pixels at even positions a single valid neighbour (a plain copy
      of v); K = 5 gives 3x3 / 3x2 / 2x2 valid neighbours per phase, so every
      output pixel mixes several LR features. Costs K*F parameters per stage.
    - `share_stages=True` (default): one CNN_M and one pair of position
      encodings applied at every stage, as Algorithm 1 writes it (the same
      CNN_M in the loop); the parameter count then does not depend on M. With
      this and K = 5, SA M2 F32 has 363,361 parameters and FDKN (693,856,
      counted from its released code) has 1.91x more, which matches the
      paper's "around 1.9x" for all three factors; per-stage CNN_M would give
      1.59x / 1.36x / 1.19x at x4 / x8 / x16.
    - ReLU on CNN_M's last layer too (SPEC: ReLU after every conv but the
      network's last), so q, k >= 0. The ReLU after attention is then a no-op
      (a convex combination of ReLU outputs) but is kept as specified.
    - Logit scale 1/sqrt(F) (SPEC Sec. 1 default); attention `impl='fast'`.
    - `residual=True` adds the bicubic-upsampled input (`bicubic_align`:
      'grid' for LR = hr[::M, ::M], the paper's protocol; 'center' for
      bicubic-downscaled LR), and zero-initialises CNN_F's last conv so the
      network starts exactly at bicubic (with a random last layer, Adam's
      first steps spent shrinking its noise kill the ReLUs: the network then
      stays at bicubic + a constant). Off by default, as in the paper.
    - `depth_norm='centre'` (not the paper's default: it leaves the input
      normalisation open): CNN_T sees `(depth - mean of the image's valid
      samples) / depth_scale`, and CNN_F's output is scaled back by
      depth_scale (plus the mean unless `residual`). Uncentred, the LR depth
      enters at ~0.3 with a spread of a few hundredths (RGB-D-D / 4000), so
      CNN_T's first layer computes ~0.3 * sum(kernel) + bias: a per-channel
      constant carrying almost no spatial signal, and Adam's first steps
      push those constants below zero (docs/RESULTS.md measures the
      collapse). `linear_branches=True` drops the ReLUs on CNN_T's output and
      on the attention stages (linear branch outputs, as DJF's conv3), so a
      branch cannot die at its output.

  Args:
    factor: M, a power of two (4, 8, 16).
    cnn_tg: CNN_T / CNN_G channels, three layers; F = cnn_tg[-1], even.
    cnn_f: CNN_F hidden channels (the final 1-channel conv is implied).
    cnn_m: CNN_M channels; the last must be 2F.
    kernel_size: attention window K (odd, >= 3).
    share_stages: one CNN_M (and position encodings) for all stages.
    residual: add the bicubic-upsampled input to the output.
    depth_norm: 'none' (default) or 'centre' (see above).
    depth_scale: the depth spread that 'centre' maps to 1 (normalised units).
    linear_branches: no ReLU on CNN_T's output and the attention stages.
    dtype: computation dtype (e.g. jnp.bfloat16); parameters stay float32.
    kernel_grad: convolution kernel gradient, "matmul" (fast on CPU, the
      default) or "xla" (for GPU/TPU); see `ops.conv2d`.

  Example:
    >>> net = JointAttentionUpsampler(4, (96, 48, 8), (16, 16), (16,), rngs=nnx.Rngs(0))
    >>> net(jnp.zeros((2, 16, 16, 1)), jnp.zeros((2, 64, 64, 3))).shape
    (2, 64, 64, 1)
  """

  def __init__(self, factor: int, cnn_tg: Sequence[int] = (96, 48, 32),
               cnn_f: Sequence[int] = (64, 64), cnn_m: Sequence[int] = (64,), *,
               kernel_size: int = 5, share_stages: bool = True,
               residual: bool = False, bicubic_align: str = "grid",
               tg_kernels: Sequence[int] = TG_KERNELS,
               f_kernels: Sequence[int] = F_KERNELS, m_kernel: int = 3,
               scale: float | None = None, impl: str = "fast",
               depth_norm: str = "none", depth_scale: float = 0.05,
               linear_branches: bool = False, dtype=None,
               kernel_grad: str = "matmul", rngs: nnx.Rngs):
    self.factor = check_factor(factor)
    self.stages = int(math.log2(self.factor))
    if depth_norm not in ("none", "centre"):
      raise ValueError(f"depth_norm must be 'none' or 'centre', got {depth_norm!r}.")
    if depth_scale <= 0:
      raise ValueError(f"depth_scale must be positive, got {depth_scale}.")
    self.depth_norm, self.depth_scale = depth_norm, depth_scale
    self.linear_branches = linear_branches
    cnn_tg, cnn_f, cnn_m = tuple(cnn_tg), tuple(cnn_f), tuple(cnn_m)
    f = cnn_tg[-1]
    if f < 2 or f % 2:
      raise ValueError(f"F = cnn_tg[-1] must be even (queries/keys have F "
                       f"channels, split into row and column encodings), got "
                       f"cnn_tg={cnn_tg}.")
    if not cnn_m or cnn_m[-1] != 2 * f:
      raise ValueError(f"CNN_M's last layer must have 2F = {2 * f} channels (split "
                       f"into q and k), got cnn_m={cnn_m} for F={f}.")
    check_fusion_args(cnn_f, f_kernels, bicubic_align)
    self.features, self.kernel_size = f, check_kernel_size(kernel_size, 2)
    self.share_stages, self.residual = share_stages, residual
    self.bicubic_align, self.scale, self.impl = bicubic_align, scale, impl
    self.dtype = dtype
    conv = dict(dtype=dtype, kernel_grad=kernel_grad, rngs=rngs)
    self.cnn_t = ConvStack(1, cnn_tg, tg_kernels, last_relu=not linear_branches,
                           **conv)
    self.cnn_g = ConvStack(3, cnn_tg, tg_kernels, **conv)
    n_mix = 1 if share_stages else self.stages
    self.mix = nnx.List([
        _MixStage(f, cnn_m, kernel_size, m_kernel, **conv)
        for _ in range(n_mix)])
    self.cnn_f = ConvStack(f, cnn_f + (1,), f_kernels, last_relu=False,
                           zero_last=residual, **conv)

  def __call__(self, depth_lr: jax.Array, guide: jax.Array, *,
               return_weights: bool = False):
    """`depth_lr [..., h, w, 1]`, `guide [..., M*h, M*w, 3]` -> `[..., M*h, M*w, 1]` float32.

    With `return_weights`, also the attention weights of every stage, a tuple
    of `[..., 2^(i+1)*h, 2^(i+1)*w, K*K]` (the last on the full-resolution grid).
    """
    acts = self.activations(depth_lr, guide, return_weights=return_weights)
    y = acts["out"]
    return (y, acts["weights"]) if return_weights else y

  def normalise_depth(self, depth_lr: jax.Array):
    """(network input `[..., h, w, 1]`, offset `[..., 1, 1, 1]`, scale) for
    `depth_norm`: 'none' passes the depth as it is (offset 0, scale 1);
    'centre' subtracts the mean of the image's valid (> 0) samples and
    divides by `depth_scale` (holes stay 0)."""
    if self.depth_norm == "none":
      return depth_lr, jnp.zeros((), jnp.float32), jnp.float32(1)
    d = depth_lr.astype(jnp.float32)
    valid = (d > 0).astype(jnp.float32)
    mean = (d * valid).sum((-3, -2), keepdims=True) / jnp.maximum(
        valid.sum((-3, -2), keepdims=True), jnp.float32(1))
    x = (d - mean) / jnp.float32(self.depth_scale) * valid
    return x.astype(depth_lr.dtype), mean, jnp.float32(self.depth_scale)

  def activations(self, depth_lr: jax.Array, guide: jax.Array, *,
                  return_weights: bool = False) -> dict:
    """The forward pass with its intermediate outputs: {'cnn_t': CNN_T's
    output `[..., h, w, F]`, 'stage_i': attention stage i's output (after its
    ReLU unless `linear_branches`), 'cnn_f_j': CNN_F's hidden layer j, 'out':
    the prediction, 'weights': the attention weights (with `return_weights`)}.
    Used to measure which parts of the network are alive."""
    check_inputs(depth_lr, guide, self.factor)
    x, offset, scale = self.normalise_depth(depth_lr)
    acts = {}
    v = self.cnn_t(x)                                         # [B, h, w, F]
    acts["cnn_t"] = v
    g = self.cnn_g(guide)                                     # [B, H, W, F]
    weights = []
    for i in range(self.stages):
      mix = self.mix[0 if self.share_stages else i]
      g_ds = avg_pool(g, self.factor >> (i + 1))              # [B, 2r, 2r, F]
      vup = ops.zero_upsample(v, 2)                           # [B, 2r, 2r, F]
      q, k_hr = jnp.split(mix.cnn_m(jnp.concatenate([vup, g_ds], -1)), 2, -1)
      pos_y, pos_x = mix.pos_y[...], mix.pos_x[...]
      if self.dtype is not None:
        pos_y, pos_x = pos_y.astype(self.dtype), pos_x.astype(self.dtype)
      out = ops.attention_upsample(
          q, k_hr[..., ::2, ::2, :], v, pos_y, pos_x, stride=2,
          kernel_size=self.kernel_size, scale=self.scale, impl=self.impl,
          return_weights=return_weights)
      if return_weights:
        out, w = out
        weights.append(w)
      v = out if self.linear_branches else jax.nn.relu(out)
      acts[f"stage_{i}"] = v
    for j, conv in enumerate(self.cnn_f.convs[:-1]):
      v = jax.nn.relu(conv(v))
      acts[f"cnn_f_{j}"] = v
    y = self.cnn_f.convs[-1](v).astype(jnp.float32) * scale
    if self.residual:
      y = y + bicubic(depth_lr, self.factor, self.bicubic_align)
    elif self.depth_norm != "none":
      y = y + offset
    acts["out"] = y
    acts["weights"] = tuple(weights)
    return acts


def active_fractions(acts: dict) -> dict:
  """{name: share of units x pixels > 0} of `JointAttentionUpsampler.activations`
  (its feature maps only: 'out' and 'weights' are left out). 0 means the
  branch is dead: it passes no information on."""
  return {k: float(jnp.mean((v > 0).astype(jnp.float32)))
          for k, v in acts.items() if k not in ("out", "weights")}
