"""`AttentionConv`: attention-based convolution, the S = 1 case (paper Eq. 7)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from attnup_jax import ops
from attnup_jax.nn import _common


class AttentionConv(nnx.Module):
  """A drop-in for `nnx.Conv(in_features, out_features, (K, K), padding='SAME')`:
  `[..., H, W, Cin] -> [..., H, W, Cout]`, each pixel attending over its K x K
  neighbourhood (masked at the image border). `3*Cin*Cout + K*Cout` parameters.

  Example:
    >>> AttentionConv(8, 16, 3, rngs=nnx.Rngs(0))(jnp.ones((2, 10, 12, 8))).shape
    (2, 10, 12, 16)
  """

  def __init__(self, in_features: int, out_features: int, kernel_size=3, *,
               use_bias: bool = False, scale: float | None = None,
               impl: str = "fast", dtype=None, param_dtype=jnp.float32,
               rngs: nnx.Rngs):
    self.kernel_size, _ = _common.window_args(kernel_size, 1)
    self.in_features = in_features
    self.out_features = _common.check_out_features(out_features)
    self.scale, self.impl, self.dtype = scale, impl, dtype
    proj = lambda: _common.projection(in_features, out_features, use_bias,
                                      dtype, param_dtype, rngs)
    self.query, self.key, self.value = proj(), proj(), proj()
    self.pos_y, self.pos_x = _common.position_params(
        self.kernel_size, out_features, param_dtype, rngs)

  def __call__(self, x: jax.Array, *, return_weights: bool = False):
    """x `[..., H, W, Cin]` -> `[..., H, W, Cout]`."""
    _common.check_features(x, self.in_features)
    return ops.attention_upsample(
        self.query(x), self.key(x), self.value(x),
        _common.cast(self.pos_y[...], self.dtype),
        _common.cast(self.pos_x[...], self.dtype), stride=1,
        kernel_size=self.kernel_size, scale=self.scale, impl=self.impl,
        return_weights=return_weights)
