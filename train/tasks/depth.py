"""Depth-guided joint upsampling (paper Sec. IV-A, Algorithm 1; SPEC Sec. 4).

Batches from `attnup_jax.data.depth.pipeline.depth_train_dataset`:
`guide [B, P, P, 3]`, `depth_lr [B, P/M, P/M, 1]`, `depth_hr [B, P, P, 1]`
(normalised), `valid [B, P, P, 1]` (holes excluded from the loss). The model
is `attnup_jax.models.depth_zoo.build_depth_model(config.model.name, M)`
called as `model(depth_lr, guide)`, imported only when this task is used.
Evaluation: full test images, RMSE (cm, or 8-bit levels) after cropping 6
pixels per border (`attnup_jax.metrics.depth.rmse`), and the training loss on
the same images.
"""

from __future__ import annotations

import itertools

import jax.numpy as jnp
import numpy as np
from flax import nnx

from attnup_jax.data.depth import pipeline
from train.tasks import base


class DepthTask(base.Task):

  def build_model(self, rngs: nnx.Rngs) -> nnx.Module:
    from attnup_jax.models import depth_zoo  # pylint: disable=g-import-not-at-top
    m = self.config.model
    kw = dict(m.get("kwargs", {}) or {})
    dtype = base.compute_dtype(m.dtype)
    if dtype is not None:
      kw["dtype"] = dtype
    return depth_zoo.build_depth_model(m.name, int(m.factor), rngs=rngs, **kw)

  def loss(self, model, batch):
    pred = model(batch["depth_lr"], batch["guide"])
    loss = base.pixel_loss(pred, batch["depth_hr"], self.config.loss, batch["valid"])
    return loss, {}

  def train_dataset(self, batch_size, seed, shard_index, shard_count):
    d = self.config.data
    return pipeline.depth_train_dataset(
        d.train_set, int(self.config.model.factor), crop=int(d.crop),
        batch_size=batch_size, seed=seed, data_dir=d.data_dir,
        degradation=d.degradation, max_images=d.max_images,
        shard_index=shard_index, shard_count=shard_count,
        num_threads=int(d.num_threads))

  def evaluate(self, predict):
    from attnup_jax.metrics import depth as depth_metrics  # pylint: disable=g-import-not-at-top
    d = self.config.data
    pairs = pipeline.depth_eval_pairs(d.eval_set, int(self.config.model.factor),
                                      d.eval_split, d.data_dir, d.degradation)
    losses, rmses = [], []
    for ex in itertools.islice(pairs, d.eval_max_images):
      pred = jnp.asarray(predict(ex["depth_lr"][None], ex["guide"][None])[0])
      target = jnp.asarray(ex["depth_hr"] / np.float32(ex["scale"]))
      losses.append(float(base.pixel_loss(pred, target, self.config.loss,
                                          jnp.asarray(ex["valid"]))))
      err = depth_metrics.rmse(pred * jnp.float32(ex["scale"]), ex["depth_hr"],
                               ex["valid"], int(d.eval_border))
      rmses.append(float(err) * ex["metric_scale"])
    return {"loss": float(np.mean(losses)), "rmse": float(np.mean(rmses))}
