"""Running trained models on whole images: tiling, colour handling."""

from attnup_jax.inference.sr import upscale_image, upscale_y
from attnup_jax.inference.tiles import run_tiled

__all__ = ["run_tiled", "upscale_image", "upscale_y"]
