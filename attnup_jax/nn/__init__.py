"""Flax NNX layers over `attnup_jax.ops` (and Linen versions through the bridge)."""

from attnup_jax.nn._attention_conv import AttentionConv
from attnup_jax.nn._attention_upsample import ROW_CHUNK, AttentionUpsample
from attnup_jax.nn._conv_transpose import PhasedConvTranspose
from attnup_jax.nn._guided import GuidedAttentionUpsample
from attnup_jax.nn._linen import (attention_conv_linen, attention_upsample_linen,
                                  guided_attention_upsample_linen)

__all__ = [
    "AttentionConv",
    "AttentionUpsample",
    "ROW_CHUNK",
    "GuidedAttentionUpsample",
    "PhasedConvTranspose",
    "attention_conv_linen",
    "attention_upsample_linen",
    "guided_attention_upsample_linen",
]
