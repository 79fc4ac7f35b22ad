"""Running trained models on whole images: loading, tiling, colour handling."""

from attnup_jax.inference.loading import load_model
from attnup_jax.inference.sr import upscale_image, upscale_y
from attnup_jax.inference.tiles import run_tiled

__all__ = ["load_model", "run_tiled", "upscale_image", "upscale_y"]
