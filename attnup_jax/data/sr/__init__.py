"""Single-image super-resolution data: MATLAB bicubic, BT.601 Y, image reading,
the SPEC Sec. 3 degradation protocol, training patches and grain pipelines.

TFDS builders live in `attnup_jax.data.sr.builders` (imported on demand: it
pulls in tensorflow_datasets, never TensorFlow). The grain pipelines
(`attnup_jax.data.sr.pipeline`) are imported on first use of their names, so
the pure parts (colour, resizing, the protocol) load without grain.
"""

import importlib


from attnup_jax.data.sr.color import (evaluation_channel, rgb_to_y, rgb_to_ycbcr,
                                      ycbcr_to_rgb)
from attnup_jax.data.sr.imresize import imresize
from attnup_jax.data.sr.io import list_images, load_image, load_image_uint8
from attnup_jax.data.sr.protocol import (downscale_uint8, modcrop, quantise_uint8,
                                         upscale_uint8)

__all__ = [
    "downscale_uint8", "evaluation_channel", "imresize", "list_images",
    "load_hr_images", "load_image", "load_image_uint8", "modcrop",
    "quantise_uint8", "rgb_to_y", "rgb_to_ycbcr", "sr_eval_pairs",
    "sr_train_dataset", "train_patches", "upscale_uint8", "ycbcr_to_rgb",
]

_PIPELINE = ("load_hr_images", "sr_eval_pairs", "sr_train_dataset", "train_patches")


def __getattr__(name):
  if name in _PIPELINE:
    return getattr(importlib.import_module("attnup_jax.data.sr.pipeline"), name)
  raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
