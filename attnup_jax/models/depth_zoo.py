"""The depth-upsampling models of paper Table I, by name.

    >>> net = build_depth_model("sa_m1_f8", 4, rngs=nnx.Rngs(0))
    >>> count_params(net)
    73241

| name | class | CNN_T / CNN_G | CNN_F | CNN_M |
|---|---|---|---|---|
| djf | DeepJointFilter | [96, 48, 1] | [64, 32] + 1 | - |
| djf_plus | DeepJointFilter | [512, 256, 1] | [384, 192] + 1 | - |
| djf_scaled_plus | DeepJointFilter | [384, 192, 1] | [288, 144] + 1 | - |
| sa_m1_f8 | JointAttentionUpsampler | [96, 48, 8] | [16, 16] + 1 | [16] |
| sa_m1_f16 | JointAttentionUpsampler | [96, 48, 16] | [32, 32] + 1 | [32] |
| sa_m1_f32 | JointAttentionUpsampler | [96, 48, 32] | [64, 64] + 1 | [64] |
| sa_m2_f32 | JointAttentionUpsampler | [96, 48, 32] | [64, 64] + 1 | [64, 64] |

Not in the paper: `bilateral_attention` (`BilateralAttentionUpsampler`), one
x M attention over each HR pixel's 4 x 4 LR samples whose logits start as
joint bilateral upsampling; CNN_G [32, 32] + 16, CNN_R [32, 32] + 1.
"""

from __future__ import annotations

from flax import nnx

from attnup_jax.models._count import count_params  # noqa: F401 (re-exported)
from attnup_jax.models.depth import JointAttentionUpsampler
from attnup_jax.models.depth_bilateral import BilateralAttentionUpsampler
from attnup_jax.models.djf import DeepJointFilter

DEPTH_MODELS = {
    "djf": (DeepJointFilter, dict(cnn_tg=(96, 48, 1), cnn_f=(64, 32))),
    "djf_plus": (DeepJointFilter, dict(cnn_tg=(512, 256, 1), cnn_f=(384, 192))),
    "djf_scaled_plus": (DeepJointFilter,
                        dict(cnn_tg=(384, 192, 1), cnn_f=(288, 144))),
    "sa_m1_f8": (JointAttentionUpsampler,
                 dict(cnn_tg=(96, 48, 8), cnn_f=(16, 16), cnn_m=(16,))),
    "sa_m1_f16": (JointAttentionUpsampler,
                  dict(cnn_tg=(96, 48, 16), cnn_f=(32, 32), cnn_m=(32,))),
    "sa_m1_f32": (JointAttentionUpsampler,
                  dict(cnn_tg=(96, 48, 32), cnn_f=(64, 64), cnn_m=(64,))),
    "sa_m2_f32": (JointAttentionUpsampler,
                  dict(cnn_tg=(96, 48, 32), cnn_f=(64, 64), cnn_m=(64, 64))),
    "bilateral_attention": (BilateralAttentionUpsampler,
                            dict(features=16, guide_channels=(32, 32),
                                 refine_channels=(32, 32))),
}

# Paper-style display names (Table I, Fig. 5).
DISPLAY_NAMES = {
    "djf": "DJF", "djf_plus": "DJF+", "djf_scaled_plus": "DJFScaled+",
    "sa_m1_f8": "SA M1 F8", "sa_m1_f16": "SA M1 F16",
    "sa_m1_f32": "SA M1 F32", "sa_m2_f32": "SA M2 F32",
    "bilateral_attention": "Bilateral attention",
}


def build_depth_model(name: str, factor: int, *, rngs: nnx.Rngs, **kw) -> nnx.Module:
  """The Table I model `name` for upsampling factor M = `factor`.

  Keyword arguments override the table's widths or set options of the class
  (`residual`, `kernel_size`, `share_stages`, `dtype`, ...).
  """
  if name not in DEPTH_MODELS:
    raise ValueError(f"unknown depth model {name!r}; choose one of "
                     f"{sorted(DEPTH_MODELS)}.")
  cls, widths = DEPTH_MODELS[name]
  return cls(factor, **{**widths, **kw}, rngs=rngs)


def depth_model_params(name: str, factor: int, **kw) -> int:
  """`count_params` of `build_depth_model(name, factor, **kw)` without
  allocating the weights (`nnx.eval_shape`)."""
  abstract = nnx.eval_shape(
      lambda: build_depth_model(name, factor, rngs=nnx.Rngs(0), **kw))
  return count_params(abstract)
