"""`GuidedAttentionUpsample`: joint upsampling guided by a high-resolution image
(paper Eqs. 13-15, Algorithm 1)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax import ops
from attnup_jax.nn import _common


class GuidedAttentionUpsample(nnx.Module):
  """Queries and keys from a high-resolution guide, values from the target.

  `x [..., H, W, Cin]` (low-resolution target, e.g. depth features) and
  `guide [..., S*H, S*W, Cg]` -> `[..., S*H, S*W, Cout]`. Queries are the
  guide's projection at every high-resolution pixel; keys are the guide's
  projection read at the valid positions (`guide[::S, ::S]`, i.e. `k_up[::S, ::S]`);
  values are the target's projection. Parameters: `2*Cg*Cout + Cin*Cout + K*Cout`.

  `attend(x, q, k_hr)` skips the guide projections and takes precomputed
  queries and keys on the high-resolution grid, as Algorithm 1 does with CNN_M.

  Example:
    >>> layer = GuidedAttentionUpsample(3, 8, 16, 3, 2, rngs=nnx.Rngs(0))
    >>> layer(jnp.ones((2, 8, 8, 8)), jnp.ones((2, 16, 16, 3))).shape
    (2, 16, 16, 16)
  """

  def __init__(self, guide_features: int, in_features: int, out_features: int,
               kernel_size=3, strides=2, *, use_bias: bool = False,
               project_values: bool = True, scale: float | None = None,
               impl: str = "fast", dtype=None, param_dtype=jnp.float32,
               rngs: nnx.Rngs):
    self.kernel_size, self.strides = _common.window_args(kernel_size, strides)
    self.guide_features, self.in_features = guide_features, in_features
    self.out_features = _common.check_out_features(out_features)
    self.scale, self.impl, self.dtype = scale, impl, dtype
    self.query = _common.projection(guide_features, out_features, use_bias,
                                    dtype, param_dtype, rngs)
    self.key = _common.projection(guide_features, out_features, use_bias,
                                  dtype, param_dtype, rngs)
    self.value = (_common.projection(in_features, out_features, use_bias, dtype,
                                     param_dtype, rngs)
                  if project_values else None)
    self.pos_y, self.pos_x = _common.position_params(
        self.kernel_size, out_features, param_dtype, rngs)

  def _check_guide(self, x, guide, name="guide"):
    s = self.strides
    h, w = x.shape[-3:-1]
    if guide.ndim != x.ndim or guide.shape[-3:-1] != (s * h, s * w):
      raise ValueError(
          f"`{name}` must be [..., S*H, S*W, C] = [..., {s * h}, {s * w}, C] for "
          f"x.shape={x.shape} and strides={s}, got {name}.shape={guide.shape}. "
          f"Resize or crop the guide to exactly S times the target's size.")

  def __call__(self, x: jax.Array, guide: jax.Array, *,
               return_weights: bool = False):
    """x `[..., H, W, Cin]`, guide `[..., S*H, S*W, Cg]` -> `[..., S*H, S*W, Cout]`."""
    _common.check_features(x, self.in_features)
    _common.check_features(guide, self.guide_features, "guide")
    self._check_guide(x, guide)
    s = self.strides
    q = self.query(guide)
    k = self.key(guide[..., ::s, ::s, :])
    return self._attend(x, q, k, return_weights)

  def attend(self, x: jax.Array, q: jax.Array, k_hr: jax.Array, *,
             return_weights: bool = False):
    """Precomputed q, k `[..., S*H, S*W, Cout]` on the high-resolution grid;
    keys are read at the valid positions `k_hr[..., ::S, ::S, :]`."""
    self._check_guide(x, q, "q")
    self._check_guide(x, k_hr, "k_hr")
    s = self.strides
    return self._attend(x, q, k_hr[..., ::s, ::s, :], return_weights)

  def _attend(self, x, q, k, return_weights):
    v = self.value(x) if self.value is not None else x
    return ops.attention_upsample(
        q, k, v, _common.cast(self.pos_y[...], self.dtype),
        _common.cast(self.pos_x[...], self.dtype), stride=self.strides,
        kernel_size=self.kernel_size, scale=self.scale, impl=self.impl,
        return_weights=return_weights)
