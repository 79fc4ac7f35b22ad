"""`AttentionConv`: attention-based convolution, the S = 1 case (paper Eq. 7)."""

from __future__ import annotations

from attnup_jax.nn._attention_upsample import AttentionUpsample


class AttentionConv(AttentionUpsample):
  """A drop-in for `nnx.Conv(in_features, out_features, (K, K), padding='SAME')`:
  `[..., H, W, Cin] -> [..., H, W, Cout]`, each pixel attending over its K x K
  neighbourhood (masked at the image border). `3*Cin*Cout + K*Cout` parameters.
  It is `AttentionUpsample` with stride 1 (bilinear upsampling by 1 is the
  identity); keyword arguments are the same.

  Example:
    >>> AttentionConv(8, 16, 3, rngs=nnx.Rngs(0))(jnp.ones((2, 10, 12, 8))).shape
    (2, 10, 12, 16)
  """

  def __init__(self, in_features: int, out_features: int, kernel_size=3, **kwargs):
    super().__init__(in_features, out_features, kernel_size, 1, **kwargs)
