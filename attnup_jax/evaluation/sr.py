"""PSNR / SSIM of an SR model on a test set under the SPEC Sec. 3 protocol:
the one evaluation the training loop, `attnup evaluate` and the result
scripts share.

    pairs = sr_test_set("set5", 2)                # decoded once
    evaluate_sr(model, pairs, 2)                  # or a batched predict fn
    evaluate_bicubic(pairs, 2)                    # the published baseline
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from attnup_jax.data.sr import protocol
from attnup_jax.evaluation.predict import as_predict, same_size_batches
from attnup_jax.metrics import pixel_loss, psnr_y, ssim_y

SET_DIRS = {"set5": "Set5", "set14": "Set14", "bsds100": "BSDS100"}


def dataset_name(name: str) -> str:
  """'set5' or 'Set5' -> the folder 'Set5'."""
  key = name.lower()
  if key not in SET_DIRS:
    raise ValueError(f"unknown test set {name!r}; choose from {sorted(SET_DIRS)}.")
  return SET_DIRS[key]


def sr_test_set(name: str, scale: int, data_dir=None, max_images: int | None = None,
                crop: int = 0) -> list[dict]:
  """`data.sr.sr_eval_pairs` of a test set (its first `max_images`), each
  cut to its top-left `crop` HR pixels if `crop` (quick runs)."""
  from attnup_jax.data.sr import sr_eval_pairs   # grain: loaded on use
  s = protocol.check_scale(scale)
  pairs = sr_eval_pairs(dataset_name(name), s, data_dir, max_images)
  if not crop:
    return pairs
  lo = crop // s
  return [{**p, "hr": p["hr"][:crop, :crop], "hr_y": p["hr_y"][:crop, :crop],
           "lr": p["lr"][:lo, :lo], "lr_y": p["lr_y"][:lo, :lo]} for p in pairs]


def _summary(names, scores, losses=None) -> dict:
  scores = np.array(scores)
  out = {"psnr": float(scores[:, 0].mean()), "ssim": float(scores[:, 1].mean()),
         "per_image": {n: (float(p), float(q)) for n, (p, q) in zip(names, scores)}}
  if losses is not None:
    out["loss"] = float(np.mean(losses))
  return out


def evaluate_sr(model_or_predict, pairs: list[dict], scale: int, *,
                loss: str = "l2", batch_size: int = 4) -> dict:
  """Mean PSNR / SSIM on Y and the pixel loss of a model over a test set.

  Args:
    model_or_predict: an SR model, or a batched `predict(lr_y [B, h, w, 1])
      -> [B, s*h, s*w, 1]`; images of equal size go through it together.
    pairs: `sr_test_set(...)`; the model sees `lr_y` (8-bit Y / 255).
    scale: the SR factor.
    loss: 'l2' or 'l1' (`metrics.pixel_loss` against `hr_y`, unclipped).

  Returns:
    {'loss', 'psnr', 'ssim', 'per_image': {name: (psnr, ssim)}}; the output
    is clipped to [0, 1] and compared as 8-bit Y (`metrics.sr`).
  """
  predict = as_predict(model_or_predict)
  scores, losses = [None] * len(pairs), [None] * len(pairs)
  for idx in same_size_batches([p["lr_y"].shape for p in pairs], batch_size):
    out = predict(np.stack([pairs[i]["lr_y"] for i in idx]))
    for j, i in enumerate(idx):
      pred, hr_y = out[j], pairs[i]["hr_y"]
      losses[i] = float(pixel_loss(jnp.asarray(pred), jnp.asarray(hr_y), loss))
      sr_y = np.clip(np.asarray(pred, np.float64), 0.0, 1.0)
      scores[i] = (psnr_y(hr_y, sr_y, scale), ssim_y(hr_y, sr_y, scale))
  return _summary([p["name"] for p in pairs], scores, losses)


def evaluate_bicubic(pairs: list[dict], scale: int) -> dict:
  """The published bicubic baseline over a test set: MATLAB bicubic on the
  8-bit RGB LR image, compared on Y. {'psnr', 'ssim', 'per_image'}."""
  scores = []
  for p in pairs:
    sr = protocol.upscale_uint8(p["lr"], scale)
    scores.append((psnr_y(p["hr"], sr, scale), ssim_y(p["hr"], sr, scale)))
  return _summary([p["name"] for p in pairs], scores)
