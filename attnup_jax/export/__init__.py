"""Deployment: a model as a serialized StableHLO artefact (`jax.export`) with
symbolic batch and spatial sizes. `attnup export` takes the model from a
bundled name or a training workdir (`attnup_jax.inference.load_model`).

Example:
  >>> model = SuperResolutionNet(2, features=16, rngs=nnx.Rngs(0))
  >>> export_model(model, ["b, h, w, 1"], "sr_x2.bin")   # doctest: +SKIP
  >>> upscale = load_exported("sr_x2.bin")                # doctest: +SKIP
  >>> upscale(jnp.zeros((3, 20, 24, 1))).shape            # doctest: +SKIP
  (3, 40, 48, 1)
"""

from attnup_jax.export._export import (default_shapes, export_model,
                                       load_exported, read_exported)

__all__ = [
    "default_shapes",
    "export_model",
    "load_exported",
    "read_exported",
]
