"""Named models as specs: the one place that maps names to `ModelSpec`s.

    sr_spec(2, "attention", global_skip=True)       SuperResolutionNet
    depth_spec("sa_m1_f32", 8, residual=True)       paper Table I, by name
    spec_from_config(config.model)                  configs/sr.py, configs/depth.py

| name | family | CNN_T / CNN_G | CNN_F | CNN_M |
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
joint bilateral upsampling and are corrected by a CNN on the LR grid,
CNN_C [64, 64, 64, 64] + M*M*17.

    >>> depth_model_params("sa_m1_f8", 4)
    73241
"""

from __future__ import annotations

from collections.abc import Mapping

from flax import nnx

from attnup_jax.models._count import count_params
from attnup_jax.models.spec import ModelSpec, abstract_model, build

DEPTH_MODELS = {
    "djf": ("DeepJointFilter", dict(cnn_tg=(96, 48, 1), cnn_f=(64, 32))),
    "djf_plus": ("DeepJointFilter", dict(cnn_tg=(512, 256, 1), cnn_f=(384, 192))),
    "djf_scaled_plus": ("DeepJointFilter",
                        dict(cnn_tg=(384, 192, 1), cnn_f=(288, 144))),
    "sa_m1_f8": ("JointAttentionUpsampler",
                 dict(cnn_tg=(96, 48, 8), cnn_f=(16, 16), cnn_m=(16,))),
    "sa_m1_f16": ("JointAttentionUpsampler",
                  dict(cnn_tg=(96, 48, 16), cnn_f=(32, 32), cnn_m=(32,))),
    "sa_m1_f32": ("JointAttentionUpsampler",
                  dict(cnn_tg=(96, 48, 32), cnn_f=(64, 64), cnn_m=(64,))),
    "sa_m2_f32": ("JointAttentionUpsampler",
                  dict(cnn_tg=(96, 48, 32), cnn_f=(64, 64), cnn_m=(64, 64))),
    "bilateral_attention": ("BilateralAttentionUpsampler",
                            dict(channels=(64, 64, 64, 64))),
}

# Paper-style display names (Table I, Fig. 5).
DISPLAY_NAMES = {
    "djf": "DJF", "djf_plus": "DJF+", "djf_scaled_plus": "DJFScaled+",
    "sa_m1_f8": "SA M1 F8", "sa_m1_f16": "SA M1 F16",
    "sa_m1_f32": "SA M1 F32", "sa_m2_f32": "SA M2 F32",
    "bilateral_attention": "Bilateral attention",
}


def sr_spec(scale: int = 2, upsampler: str = "attention", **kwargs) -> ModelSpec:
  """`SuperResolutionNet(scale, upsampler, **kwargs)` as a spec."""
  return ModelSpec.create("SuperResolutionNet", scale=scale, upsampler=upsampler,
                          **kwargs)


def depth_spec(name: str, factor: int, **kwargs) -> ModelSpec:
  """The Table I model `name` for factor M = `factor`; `kwargs` override its
  widths or set options of its class (`residual`, `kernel_size`, `dtype`, ...)."""
  if name not in DEPTH_MODELS:
    raise ValueError(f"unknown depth model {name!r}; choose one of "
                     f"{sorted(DEPTH_MODELS)}.")
  family, widths = DEPTH_MODELS[name]
  return ModelSpec.create(family, factor=factor, **{**widths, **kwargs})


def spec_from_config(model: Mapping) -> ModelSpec:
  """The spec of a train config's `model` section.

  Three layouts: configs/depth.py's `{name, factor, dtype, kwargs}` (a Table
  I name plus constructor options), configs/sr.py's constructor arguments of
  `SuperResolutionNet` (`{scale, upsampler, features, ..., dtype}`), or a
  spec itself `{family, kwargs}`.
  """
  m = model.to_dict() if hasattr(model, "to_dict") else dict(model)
  if "family" in m:
    return ModelSpec.from_dict(m)
  if "name" in m:
    kwargs = dict(m.pop("kwargs", None) or {})
    return depth_spec(m.pop("name"), m.pop("factor"), **m, **kwargs)
  if "scale" in m:
    return sr_spec(**m)
  raise ValueError(f"cannot tell the model of config.model {sorted(m)}: "
                   f"expected 'family', 'name' (depth) or 'scale' (SR).")


def preset_name(spec: ModelSpec) -> str | None:
  """The Table I name whose widths `spec` has, if any ('sa_m1_f32', ...)."""
  for name, (family, widths) in DEPTH_MODELS.items():
    if family == spec.family and all(spec.kwargs.get(k) == v
                                     for k, v in widths.items()):
      return name
  return None


def build_depth_model(name: str, factor: int, *, rngs: nnx.Rngs, **kwargs
                      ) -> nnx.Module:
  """`build(depth_spec(name, factor, **kwargs), rngs)`."""
  return build(depth_spec(name, factor, **kwargs), rngs)


def depth_model_params(name: str, factor: int, **kwargs) -> int:
  """Parameter count of `depth_spec(name, factor, **kwargs)`, nothing allocated."""
  return count_params(abstract_model(depth_spec(name, factor, **kwargs)))
