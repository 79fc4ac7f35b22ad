"""attnup-jax: attention-based image upsampling (Kundu et al.) in JAX and Flax NNX."""

__version__ = "0.1.0"
