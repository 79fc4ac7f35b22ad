"""The paper's networks, built from `attnup_jax.nn` layers, and the model spec
every command builds them from (`spec.build`, names in `presets`)."""

from attnup_jax.models._count import count_params
from attnup_jax.models.depth import JointAttentionUpsampler
from attnup_jax.models.djf import DeepJointFilter
from attnup_jax.models.params import assign_params, flatten_params, load_params
from attnup_jax.models.presets import (DEPTH_MODELS, build_depth_model,
                                       depth_model_params, depth_spec,
                                       spec_from_config, sr_spec)
from attnup_jax.models.spec import FAMILIES, ModelSpec, abstract_model, build
from attnup_jax.models.sr import SuperResolutionNet

__all__ = [
    "DEPTH_MODELS",
    "DeepJointFilter",
    "FAMILIES",
    "JointAttentionUpsampler",
    "ModelSpec",
    "SuperResolutionNet",
    "abstract_model",
    "assign_params",
    "build",
    "build_depth_model",
    "count_params",
    "depth_model_params",
    "depth_spec",
    "flatten_params",
    "load_params",
    "spec_from_config",
    "sr_spec",
]
