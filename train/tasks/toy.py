"""A synthetic x2 upsampling task that needs no data (tests, smoke runs).

Targets `hr [2s, 2s, 1]` are smooth random fields (three sinusoids, in
[0, 1]) drawn from `(seed, index)`; inputs `lr [s, s, 1]` are their 2x2
means. The model is a two-convolution sub-pixel network: cheap to compile.
`config.toy.nan_at_step = N` writes a NaN into the batch of step N.
"""

from __future__ import annotations

import grain
import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from attnup_jax.models import spec
from train.tasks import base

EVAL_SEED = 10**6


def toy_example(seed: int, index: int, size: int) -> dict[str, np.ndarray]:
  """{'lr': float32 [s, s, 1], 'hr': float32 [2s, 2s, 1]} for one index."""
  rng = np.random.default_rng([seed, index])
  yy, xx = np.meshgrid(np.arange(2 * size), np.arange(2 * size), indexing="ij")
  hr = np.zeros((2 * size, 2 * size), np.float64)
  for _ in range(3):
    fy, fx = rng.uniform(-0.5, 0.5, 2)
    hr += np.sin(fy * yy + fx * xx + rng.uniform(0, 2 * np.pi))
  hr = (hr / 6.0 + 0.5)[..., None]
  lr = hr.reshape(size, 2, size, 2, 1).mean(axis=(1, 3))
  return {"lr": lr.astype(np.float32), "hr": hr.astype(np.float32)}


class _ToySource:

  def __init__(self, n: int, size: int, seed: int):
    self.n, self.size, self.seed = n, size, seed

  def __len__(self) -> int:
    return self.n

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    return toy_example(self.seed, int(index), self.size)


class ToyNet(nnx.Module):
  """`[B, s, s, 1]` -> `[B, 2s, 2s, 1]`: conv3x3, ReLU, conv3x3 to 4, depth-to-space."""

  def __init__(self, features: int, *, dtype=None, rngs: nnx.Rngs):
    self.conv1 = nnx.Conv(1, features, (3, 3), padding="SAME", dtype=dtype, rngs=rngs)
    self.conv2 = nnx.Conv(features, 4, (3, 3), padding="SAME", dtype=dtype, rngs=rngs)

  def __call__(self, x: jax.Array) -> jax.Array:
    y = self.conv2(jax.nn.relu(self.conv1(x))).astype(jnp.float32)
    b, h, w, _ = y.shape
    y = y.reshape(b, h, w, 2, 2).transpose(0, 1, 3, 2, 4)
    return y.reshape(b, 2 * h, 2 * w, 1)


class ToyTask(base.Task):

  def model_spec(self):
    return None   # ToyNet lives here, not in attnup_jax.models

  def build_model(self, rngs: nnx.Rngs) -> nnx.Module:
    m = self.config.model
    return ToyNet(int(m.features), dtype=spec.DTYPES[spec.dtype_name(m.dtype)],
                  rngs=rngs)

  def loss(self, model, batch):
    pred = model(batch["lr"])
    loss = base.pixel_loss(pred, batch["hr"], self.config.loss)
    return loss, {"mse": jnp.mean(jnp.square(pred - batch["hr"]))}

  def train_dataset(self, batch_size, seed, shard_index, shard_count):
    t = self.config.toy
    nan_at = int(t.nan_at_step)

    def poison(index, batch):  # batch `index` feeds step index + 1
      if nan_at and index + 1 == nan_at:
        batch = {**batch, "lr": batch["lr"].copy()}
        batch["lr"][0, 0, 0, 0] = np.nan
      return batch

    ds = grain.MapDataset.source(_ToySource(int(t.num_examples), int(t.size), seed))
    ds = ds.shuffle(seed=seed)[shard_index::shard_count]
    return ds.repeat().batch(batch_size, drop_remainder=True).map_with_index(poison)

  def evaluate(self, predict):
    t = self.config.toy
    ex = [toy_example(EVAL_SEED, i, int(t.size)) for i in range(int(t.num_eval))]
    lr = np.stack([e["lr"] for e in ex])
    hr = np.stack([e["hr"] for e in ex])
    pred = np.asarray(predict(lr), np.float64)
    loss = float(np.asarray(base.pixel_loss(jnp.asarray(pred, jnp.float32),
                                            jnp.asarray(hr), self.config.loss)))
    mse = float(np.mean((np.clip(pred, 0, 1) - hr) ** 2))
    return {"loss": loss, "psnr": float(-10.0 * np.log10(max(mse, 1e-12)))}
