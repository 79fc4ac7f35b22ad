"""Pure operations of attention-based upsampling: no Flax, no state, no RNG.

Every function takes images `[..., H, W, C]` (NHWC, batch dims lead and are
vmapped), is jit- and grad-friendly, and takes stride / kernel size statically.
"""

from attnup_jax.ops._attention import (attention_upsample, attention_upsample_bilinear,
                                      attention_weights)
from attnup_jax.ops._conv import conv2d, conv2d_with
from attnup_jax.ops._conv_transpose import conv_transpose_phased
from attnup_jax.ops._patches import extract_patches
from attnup_jax.ops._resample import bilinear_upsample, zero_upsample

__all__ = [
    "attention_upsample",
    "attention_upsample_bilinear",
    "attention_weights",
    "bilinear_upsample",
    "conv2d",
    "conv2d_with",
    "conv_transpose_phased",
    "extract_patches",
    "zero_upsample",
]
