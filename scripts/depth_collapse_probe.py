"""Is the depth network's value path alive? Trains a Table I model for a few
hundred steps on RGB-D-D train crops and prints, every `--every` steps, the
active fraction (share of units x pixels > 0) of CNN_T's output, of every
attention stage and of CNN_F's hidden layers, and how far the output is from
bicubic, on crops of the held-back 'val' images (never the test split).

    python scripts/depth_collapse_probe.py --model sa_m1_f8 --factor 8 --steps 200
    python scripts/depth_collapse_probe.py --model sa_m1_f8 --factor 8 --steps 200 \\
        --kwargs '{"depth_norm": "centre", "linear_branches": true}'

The issue-13 setting: residual, 128-pixel crops, batch 4, Adam 5e-4 after a
20-step warmup (the defaults here).
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from attnup_jax.data.depth import pipeline, transforms  # noqa: E402
from attnup_jax.data.depth.datasets import get_dataset  # noqa: E402
from attnup_jax.models.depth import active_fractions, bicubic  # noqa: E402
from attnup_jax.models.depth_zoo import build_depth_model  # noqa: E402


def val_crops(factor: int, crop: int, n: int, seed: int = 1) -> dict:
  """`n` random crops of the 'val' images as one batch (numpy)."""
  src = pipeline.depth_source("rgbdd", "val")
  rng = np.random.default_rng(seed)
  ds = get_dataset("rgbdd")
  exs = [transforms.to_example(
      transforms.random_crop(src[i % len(src)], crop, factor, rng), ds, factor)
      for i in range(n)]
  return {k: np.stack([e[k] for e in exs]) for k in exs[0]}


def masked_mse(pred, target, valid):
  v = valid.astype(jnp.float32)
  return jnp.sum((pred - target) ** 2 * v) / jnp.maximum(v.sum(), 1.0)


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--model", default="sa_m1_f8")
  p.add_argument("--factor", type=int, default=8)
  p.add_argument("--kwargs", default="{}", help="JSON constructor options")
  p.add_argument("--steps", type=int, default=200)
  p.add_argument("--every", type=int, default=50)
  p.add_argument("--crop", type=int, default=128)
  p.add_argument("--batch", type=int, default=4)
  p.add_argument("--lr", type=float, default=5e-4)
  p.add_argument("--warmup", type=int, default=20)
  p.add_argument("--seed", type=int, default=0)
  a = p.parse_args(argv)
  kw = {"residual": True, **json.loads(a.kwargs)}
  net = build_depth_model(a.model, a.factor, rngs=nnx.Rngs(a.seed), **kw)
  sched = optax.join_schedules([optax.linear_schedule(0.0, a.lr, a.warmup),
                                optax.constant_schedule(a.lr)], [a.warmup])
  opt = nnx.Optimizer(net, optax.adam(sched), wrt=nnx.Param)
  val = val_crops(a.factor, a.crop, 8)
  bic_val = bicubic(jnp.asarray(val["depth_lr"]), a.factor, "grid")

  @nnx.jit
  def step(model, opt, batch):
    def loss_fn(m):
      return masked_mse(m(batch["depth_lr"], batch["guide"]), batch["depth_hr"],
                        batch["valid"])
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    opt.update(model, grads)
    return loss

  @nnx.jit
  def probe(model, d, g):
    return model.activations(d, g)

  def report(i):
    acts = probe(net, val["depth_lr"], val["guide"])
    frac = active_fractions(acts)
    off = float(jnp.sqrt(jnp.mean((acts["out"] - bic_val) ** 2)))
    gain = float(masked_mse(acts["out"], val["depth_hr"], val["valid"])
                 / masked_mse(bic_val, val["depth_hr"], val["valid"]))
    print(f"step {i:4d}  " + "  ".join(f"{k} {v:.3f}" for k, v in frac.items())
          + f"  |out - bicubic| {off * 4000:.2f} mm  val MSE / bicubic {gain:.4f}",
          flush=True)

  ds = pipeline.depth_train_dataset("rgbdd", a.factor, crop=a.crop,
                                    batch_size=a.batch, seed=a.seed)
  report(0)
  for i, batch in enumerate(itertools.islice(iter(ds), a.steps), 1):
    step(net, opt, {k: jnp.asarray(v) for k, v in batch.items()})
    if i % a.every == 0:
      report(i)
  return 0


if __name__ == "__main__":
  sys.exit(main())
