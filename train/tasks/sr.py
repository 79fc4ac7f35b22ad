"""Single-image super-resolution on Y (paper Sec. IV-B; SPEC Sec. 3).

Batches: `{'lr': float32 [B, p, p, 1], 'hr': float32 [B, s*p, s*p, 1]}` from
`attnup_jax.data.sr.pipeline.sr_train_dataset` (Y in [0, 1]). Loss: L2 or
L1 on Y (`config.loss`). Evaluation: the model on the 8-bit LR Y of every
full image of `config.data.eval_set` (Set5 by default), PSNR / SSIM by
`attnup_jax.metrics.sr` (8-bit quantised, `scale` pixels shaved), and the
training loss on the same images (drives the plateau schedule).
"""

from __future__ import annotations

import grain
import numpy as np
import jax.numpy as jnp
from flax import nnx

from attnup_jax.data.sr import pipeline
from attnup_jax.metrics import sr as sr_metrics
from attnup_jax.models.sr import SuperResolutionNet
from train.tasks import base


class SuperResolutionTask(base.Task):

  def build_model(self, rngs: nnx.Rngs) -> nnx.Module:
    m = self.config.model
    return SuperResolutionNet(
        int(m.scale), m.upsampler, features=int(m.features),
        kernel_size=int(m.kernel_size), global_skip=bool(m.global_skip),
        dtype=base.compute_dtype(m.dtype), rngs=rngs)

  def loss(self, model, batch):
    pred = model(batch["lr"])
    loss = base.pixel_loss(pred, batch["hr"], self.config.loss)
    mse = jnp.mean(jnp.square(pred - batch["hr"]))
    return loss, {"mse": mse, "psnr": -10.0 * jnp.log10(jnp.maximum(mse, 1e-12))}

  def train_dataset(self, batch_size, seed, shard_index, shard_count):
    d = self.config.data
    ds = pipeline.sr_train_dataset(
        d.train_set, int(self.config.model.scale), int(d.patch_size),
        int(d.stride), batch_size, seed, data_dir=d.data_dir,
        augment=bool(d.augment), max_images=d.max_images,
        shard_index=shard_index, shard_count=shard_count)
    threads = int(d.read_threads)   # 0: read in the caller's (prefetch) thread
    return ds.to_iter_dataset(grain.ReadOptions(
        num_threads=threads, prefetch_buffer_size=4 if threads else 0))

  def eval_pairs(self) -> list[dict]:
    """`[(lr_y [h, w, 1], hr_y [s*h, s*w, 1])]`, cached; cropped if eval_crop."""
    if not hasattr(self, "_pairs"):
      d, s = self.config.data, int(self.config.model.scale)
      pairs = pipeline.sr_eval_pairs(d.eval_set, s, d.data_dir, d.eval_max_images)
      c = int(d.eval_crop)
      self._pairs = [(p["lr_y"][:c // s, :c // s], p["hr_y"][:c, :c]) if c else
                     (p["lr_y"], p["hr_y"]) for p in pairs]
    return self._pairs

  def evaluate(self, predict):
    s = int(self.config.model.scale)
    losses, psnrs, ssims = [], [], []
    for lr_y, hr_y in self.eval_pairs():
      pred = predict(lr_y[None])[0]
      losses.append(float(base.pixel_loss(pred, jnp.asarray(hr_y), self.config.loss)))
      sr_y = np.clip(np.asarray(pred, np.float64), 0.0, 1.0)
      psnrs.append(sr_metrics.psnr_y(hr_y, sr_y, s))
      ssims.append(sr_metrics.ssim_y(hr_y, sr_y, s))
    return {"loss": float(np.mean(losses)), "psnr": float(np.mean(psnrs)),
            "ssim": float(np.mean(ssims))}
