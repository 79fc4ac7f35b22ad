"""Depth-guided joint upsampling (paper Sec. IV-A, Algorithm 1; SPEC Sec. 4).

Batches from `attnup_jax.data.depth.pipeline.depth_train_dataset`:
`guide [B, P, P, 3]`, `depth_lr [B, P/M, P/M, 1]`, `depth_hr [B, P, P, 1]`
(normalised), `valid [B, P, P, 1]` (holes excluded from the loss). The model
is `spec_from_config(config.model)` (a Table I name plus options) called as
`model(depth_lr, guide)`. Evaluation: `attnup_jax.evaluation.depth.
evaluate_depth` on the first `eval_max_images` full test images (decoded
once): RMSE (cm, or 8-bit levels) after cropping 6 pixels per border, and the
training loss on the same images.
"""

from __future__ import annotations

from attnup_jax.data.depth import pipeline
from attnup_jax.evaluation.depth import depth_test_set, evaluate_depth
from train.tasks import base


class DepthTask(base.Task):

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
        num_threads=int(d.num_threads), augment=bool(d.get("augment", False)))

  def test_set(self) -> list[dict]:
    """`depth_test_set` of `config.data.eval_set`, decoded on first use."""
    if not hasattr(self, "_test_set"):
      d = self.config.data
      self._test_set = depth_test_set(
          d.eval_set, int(self.config.model.factor), d.eval_split, d.data_dir,
          d.degradation, d.eval_max_images)
    return self._test_set

  def evaluate(self, predict):
    r = evaluate_depth(predict, self.test_set(), border=int(self.config.data.eval_border),
                       loss=self.config.loss)
    return {k: r[k] for k in ("loss", "rmse")}
