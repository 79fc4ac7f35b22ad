"""Pure operations of attention-based upsampling: no Flax, no state, no RNG.

Every function takes images `[..., H, W, C]` (NHWC, batch dims lead and are
vmapped), is jit- and grad-friendly, and takes stride / kernel size statically.
"""

from attnup_jax.ops._area import area_downsample
from attnup_jax.ops._attention import (attention_upsample, attention_upsample_bilinear,
                                      attention_weights)
from attnup_jax.ops._bicubic import bicubic_upsample
from attnup_jax.ops._chunks import chunk_size, remat_chunks
from attnup_jax.ops._conv import conv2d, conv2d_with
from attnup_jax.ops._conv_transpose import conv_transpose_phased
from attnup_jax.ops._patches import extract_patches
from attnup_jax.ops._rows import remat_rows
from attnup_jax.ops._resample import bilinear_upsample, zero_upsample

__all__ = [
    "area_downsample",
    "attention_upsample",
    "attention_upsample_bilinear",
    "attention_weights",
    "bicubic_upsample",
    "bilinear_upsample",
    "chunk_size",
    "conv2d",
    "conv2d_with",
    "conv_transpose_phased",
    "extract_patches",
    "remat_chunks",
    "remat_rows",
    "zero_upsample",
]
