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

import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from attnup_jax.data.depth import pipeline, transforms  # noqa: E402
from attnup_jax.data.depth.datasets import get_dataset  # noqa: E402
from attnup_jax.models.depth import active_fractions, bicubic  # noqa: E402
from attnup_jax.models.presets import build_depth_model  # noqa: E402


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


def probe(model: str = "sa_m1_f8", factor: int = 8, kwargs: dict | None = None,
          steps: int = 200, every: int = 50, crop: int = 128, batch: int = 4,
          lr: float = 5e-4, warmup: int = 20, seed: int = 0,
          max_images: int | None = None, val_n: int = 8, log=print) -> list[dict]:
  """Trains `model` (residual unless kwargs say otherwise) with Adam and
  returns, at step 0 and every `every` steps, {'step', 'active':
  `active_fractions` on val crops, 'off_bicubic_mm': RMS of output -
  bicubic (mm), 'mse_vs_bicubic': val-crop MSE / bicubic's}."""
  kw = {"residual": True, **(kwargs or {})}
  net = build_depth_model(model, factor, rngs=nnx.Rngs(seed), **kw)
  def sched(count):       # linear warmup to lr over `warmup` steps, then lr
    frac = count.astype(jnp.float32) / jnp.float32(max(warmup, 1))
    return jnp.float32(lr) * jnp.minimum(frac, jnp.float32(1))
  opt = nnx.Optimizer(net, optax.adam(sched), wrt=nnx.Param)
  val = val_crops(factor, crop, val_n)
  bic_val = bicubic(jnp.asarray(val["depth_lr"]), factor, "grid")

  @nnx.jit
  def step(model, opt, batch):
    def loss_fn(m):
      return masked_mse(m(batch["depth_lr"], batch["guide"]), batch["depth_hr"],
                        batch["valid"])
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    opt.update(model, grads)
    return loss

  @nnx.jit
  def acts_of(model, d, g):
    return model.activations(d, g)

  rows = []

  def report(i):
    acts = acts_of(net, val["depth_lr"], val["guide"])
    row = {"step": i, "active": active_fractions(acts),
           "off_bicubic_mm": float(jnp.sqrt(jnp.mean((acts["out"] - bic_val) ** 2)))
           * 4000.0,
           "mse_vs_bicubic": float(masked_mse(acts["out"], val["depth_hr"], val["valid"])
                                   / masked_mse(bic_val, val["depth_hr"], val["valid"]))}
    rows.append(row)
    log(f"step {i:4d}  " + "  ".join(f"{k} {v:.3f}" for k, v in row["active"].items())
        + f"  |out - bicubic| {row['off_bicubic_mm']:.2f} mm  val MSE / bicubic "
        f"{row['mse_vs_bicubic']:.4f}")

  ds = pipeline.depth_train_dataset("rgbdd", factor, crop=crop, batch_size=batch,
                                    seed=seed, max_images=max_images)
  report(0)
  for i, b in enumerate(itertools.islice(iter(ds), steps), 1):
    step(net, opt, {k: jnp.asarray(v) for k, v in b.items()})
    if i % every == 0:
      report(i)
  return rows


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
  probe(a.model, a.factor, json.loads(a.kwargs), a.steps, a.every, a.crop,
        a.batch, a.lr, a.warmup, a.seed,
        log=lambda line: print(line, flush=True))
  return 0


if __name__ == "__main__":
  sys.exit(main())
