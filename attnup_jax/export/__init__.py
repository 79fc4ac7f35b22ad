"""Deployment: a model as a serialized StableHLO artefact (`jax.export`) with
symbolic batch and spatial sizes, loading trained parameters from orbax
checkpoints, and building the models `attnup export --model NAME` names.

Example:
  >>> model = SuperResolutionNet(2, features=16, rngs=nnx.Rngs(0))
  >>> export_model(model, ["b, h, w, 1"], "sr_x2.bin")   # doctest: +SKIP
  >>> upscale = load_exported("sr_x2.bin")                # doctest: +SKIP
  >>> upscale(jnp.zeros((3, 20, 24, 1))).shape            # doctest: +SKIP
  (3, 40, 48, 1)
"""

from attnup_jax.export._checkpoint import load_params, resolve_item
from attnup_jax.export._export import export_model, load_exported, read_exported
from attnup_jax.export._models import build_model, default_shapes

__all__ = [
    "build_model",
    "default_shapes",
    "export_model",
    "load_exported",
    "load_params",
    "resolve_item",
    "read_exported",
]
