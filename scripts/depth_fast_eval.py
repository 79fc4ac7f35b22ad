"""Fast batched evaluation of depth upsamplers for the depth scripts.

Each test set is decoded once (`load_records`); per factor the pairs are
mod-cropped, grid-sampled and bucketed by size (`make_buckets`), each bucket
runs through one jitted call per chunk of equal-size images (no compile per
image), and the RMSE is computed on the device. Same protocol as
`attnup evaluate --task depth` (LR = hr[::M, ::M], 6-pixel border, holes
excluded, mean of per-image RMSEs; cm for metric depth, 0-255 for 8-bit).

    from depth_fast_eval import load_records, make_buckets, evaluate
    recs = load_records("rgbdd", "test")
    r = evaluate(lambda d, g: jbu_upsample(d, g, 8), make_buckets(recs, "rgbdd", 8))
"""

from __future__ import annotations

import pathlib
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from attnup_jax.data.depth import degrade, pipeline, transforms  # noqa: E402
from attnup_jax.data.depth.datasets import get_dataset  # noqa: E402
from attnup_jax.metrics import depth as depth_metrics  # noqa: E402

BORDER = 6


def load_records(name: str, split: str = "test", max_images: int | None = None,
                 data_dir=None) -> list[dict]:
  """Decoded records {'id', 'rgb' uint8 [H, W, 3], 'depth' [H, W]} of a split."""
  src = pipeline.depth_source(name, split, data_dir)
  n = len(src) if max_images is None else min(max_images, len(src))
  return [src[i] for i in range(n)]


def make_buckets(records: list[dict], name: str, factor: int) -> list[dict]:
  """Records -> buckets of equal-size examples, stacked:
  {'ids', 'depth_lr' [N, h, w, 1], 'guide' [N, H, W, 3], 'depth_hr' [N, H, W, 1]
  (dataset units), 'valid', 'scale', 'metric_scale', 'units'}."""
  ds = get_dataset(name)
  by_size: dict = {}
  for r in records:
    rgb, depth = degrade.mod_crop(r["rgb"], factor), degrade.mod_crop(r["depth"], factor)
    ex = transforms.to_example({**r, "rgb": rgb, "depth": depth}, ds, factor, "grid")
    ex["depth_hr"] = np.asarray(depth, np.float32)[..., None]
    ex["id"] = r["id"]
    by_size.setdefault(ex["guide"].shape, []).append(ex)
  out = []
  for exs in by_size.values():
    out.append({"ids": [e["id"] for e in exs],
                **{k: np.stack([e[k] for e in exs])
                   for k in ("depth_lr", "guide", "depth_hr", "valid")},
                "scale": ds.scale, "metric_scale": ds.metric_scale,
                "units": ds.metric_units})
  return out


def evaluate(upsample, buckets: list[dict], chunk: int = 4) -> dict:
  """Mean per-image RMSE of `upsample(depth_lr [B, h, w, 1], guide [B, H, W, 3])
  -> [B, H, W, 1]` (normalised, as depth_lr) over the buckets.

  Returns {'rmse', 'per_image': {id: rmse}, 'units', 'num_images', 'seconds'}.
  """
  t0 = time.perf_counter()

  @jax.jit
  def rmse_of(d, g, hr, v, scale):
    pred = upsample(d, g).astype(jnp.float32) * scale
    return depth_metrics.rmse(pred, hr, v, BORDER)

  per_image = {}
  for b in buckets:
    n = len(b["ids"])
    for i in range(0, n, chunk):
      sl = slice(i, min(n, i + chunk))
      args = [b[k][sl] for k in ("depth_lr", "guide", "depth_hr", "valid")]
      if args[0].shape[0] < chunk:       # pad the last chunk: one compile per size
        pad = chunk - args[0].shape[0]
        args = [np.concatenate([a, np.repeat(a[-1:], pad, 0)]) for a in args]
      err = np.asarray(rmse_of(*args, jnp.float32(b["scale"])))
      for j, k in enumerate(b["ids"][sl]):
        per_image[k] = float(err[j]) * b["metric_scale"]
  vals = np.array(list(per_image.values()))
  return {"rmse": float(vals.mean()), "per_image": per_image,
          "units": buckets[0]["units"], "num_images": len(vals),
          "seconds": time.perf_counter() - t0}
