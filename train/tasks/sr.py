"""Single-image super-resolution on Y (paper Sec. IV-B; SPEC Sec. 3).

Batches: `{'lr': float32 [B, p, p, 1], 'hr': float32 [B, s*p, s*p, 1]}` from
`attnup_jax.data.sr.pipeline.sr_train_dataset` (Y in [0, 1]). Loss: L2 or
L1 on Y (`config.loss`). The model: `spec_from_config(config.model)`.
Evaluation: `attnup_jax.evaluation.sr.evaluate_sr` on every full image of
`config.data.eval_set` (Set5 by default; decoded once), PSNR / SSIM 8-bit
quantised with `scale` pixels shaved, and the training loss on the same
images (drives the plateau schedule).
"""

from __future__ import annotations

import grain
import jax.numpy as jnp

from attnup_jax.data.sr import pipeline
from attnup_jax.evaluation.sr import evaluate_sr, sr_test_set
from train.tasks import base


class SuperResolutionTask(base.Task):

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

  def test_set(self) -> list[dict]:
    """`sr_test_set` of `config.data.eval_set`, decoded on first use."""
    if not hasattr(self, "_test_set"):
      d = self.config.data
      self._test_set = sr_test_set(d.eval_set, int(self.config.model.scale),
                                   d.data_dir, d.eval_max_images, int(d.eval_crop))
    return self._test_set

  def evaluate(self, predict):
    r = evaluate_sr(predict, self.test_set(), int(self.config.model.scale),
                    loss=self.config.loss)
    return {k: r[k] for k in ("loss", "psnr", "ssim")}
