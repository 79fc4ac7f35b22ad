"""The paper's networks, built from `attnup_jax.nn` layers."""

from attnup_jax.models.depth import JointAttentionUpsampler
from attnup_jax.models.depth_zoo import (DEPTH_MODELS, build_depth_model,
                                         depth_model_params)
from attnup_jax.models.djf import DeepJointFilter
from attnup_jax.models.sr import SuperResolutionNet, count_params

__all__ = [
    "DEPTH_MODELS",
    "DeepJointFilter",
    "JointAttentionUpsampler",
    "SuperResolutionNet",
    "build_depth_model",
    "count_params",
    "depth_model_params",
]
