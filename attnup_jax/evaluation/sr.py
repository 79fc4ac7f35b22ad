"""PSNR / SSIM of an SR model on the benchmark sets under the SPEC Sec. 3 protocol."""

from __future__ import annotations

import numpy as np
from flax import nnx
from tqdm import tqdm

from attnup_jax.data.sr import protocol, sr_eval_pairs
from attnup_jax.inference.sr import upscale_y
from attnup_jax.metrics.sr import psnr_y, ssim_y

SET_DIRS = {"set5": "Set5", "set14": "Set14", "bsds100": "BSDS100"}


def dataset_name(name: str) -> str:
  key = name.lower()
  if key not in SET_DIRS:
    raise ValueError(f"unknown test set {name!r}; choose from {sorted(SET_DIRS)}.")
  return SET_DIRS[key]


def evaluate_sr(model: nnx.Module | None, dataset: str, scale: int, *,
                data_dir=None, max_images: int | None = None,
                progress: bool = True) -> dict:
  """Mean PSNR / SSIM on Y of `model` (None: bicubic on RGB) over one test set.

  The model sees the 8-bit LR Y / 255 (grey values for greyscale images); its
  output is clipped to [0, 1] and quantised to 8 bits like a saved image.

  Returns:
    {'psnr': float, 'ssim': float, 'per_image': {name: (psnr, ssim)}}.
  """
  pairs = sr_eval_pairs(dataset_name(dataset), scale, data_dir, max_images)
  per_image = {}
  for pair in tqdm(pairs, desc=f"{dataset} x{scale}", disable=not progress,
                   leave=False):
    if model is None:     # bicubic on the LR image, then Y: the published protocol
      hr, sr = pair["hr"], protocol.upscale_uint8(pair["lr"], scale)
    else:                 # the network on the LR Y, compared on Y
      hr = np.round(pair["hr_y"][..., 0] * 255.0).astype(np.uint8)
      sr = protocol.quantise_uint8(np.clip(upscale_y(model, pair["lr_y"]), 0, 1))
    per_image[pair["name"]] = (psnr_y(hr, sr, scale), ssim_y(hr, sr, scale))
  values = np.array(list(per_image.values()))
  return {"psnr": float(values[:, 0].mean()), "ssim": float(values[:, 1].mean()),
          "per_image": per_image}
