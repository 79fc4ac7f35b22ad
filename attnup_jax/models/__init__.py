"""The paper's networks, built from `attnup_jax.nn` layers."""

from attnup_jax.models.sr import SuperResolutionNet

__all__ = ["SuperResolutionNet"]
