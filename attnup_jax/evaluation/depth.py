"""`attnup evaluate --task depth` and the depth evaluation the training loop
shares: RMSE of bicubic (and a model) on the depth test sets, in the layout
of the paper's Table II (rows: methods; columns: x4 / x8 / x16), with the
paper's NYU v2 rows for reference.

    pairs = depth_test_set("rgbdd", 8)                 # decoded once
    evaluate_depth(model, pairs)                       # or a batched predict fn
    evaluate_depth(bicubic_predict(8), pairs)          # the baseline

Protocol (SPEC Sec. 4): LR = hr[::M, ::M] of the HR map mod-cropped to a
multiple of M, RMSE on the HR grid after cropping 6 pixels per border, holes
(gt = 0) excluded, mean of per-image RMSEs; centimetres for metric depth
(RGB-D-D, NYU), the 0-255 scale for 8-bit maps (Lu_DepthEnh).
"""

from __future__ import annotations

import itertools
import json

import jax.numpy as jnp
import numpy as np

from attnup_jax import ops
from attnup_jax.evaluation import paper
from attnup_jax.evaluation.predict import as_predict, same_size_batches
from attnup_jax.metrics import pixel_loss
from attnup_jax.metrics.depth import rmse

FACTORS = (4, 8, 16)
BORDER = 6
UNIT_LABELS = {"cm": "cm", "level": "0-255"}


def depth_test_set(name: str, factor: int, split: str = "test", data_dir=None,
                   degradation: str = "grid", max_images: int | None = None
                   ) -> list[dict]:
  """The first `max_images` (default all) examples of
  `data.depth.pipeline.depth_eval_pairs`, decoded."""
  from attnup_jax.data.depth import pipeline   # grain: loaded on use
  pairs = list(itertools.islice(
      pipeline.depth_eval_pairs(name, factor, split, data_dir, degradation),
      max_images))
  if not pairs:
    raise ValueError(f"no {split} images in {name!r} (max_images={max_images}).")
  return pairs


def bicubic_predict(factor: int, align: str = "grid"):
  """Batched `(depth_lr, guide) -> [B, H, W, 1]`: bicubic, grid-aligned by
  default (matches LR = hr[::M, ::M])."""
  return lambda depth_lr, guide: ops.bicubic_upsample(jnp.asarray(depth_lr),
                                                      factor, align)


def evaluate_depth(model_or_predict, pairs: list[dict], *, border: int = BORDER,
                   loss: str = "l2", batch_size: int = 4) -> dict:
  """RMSE and pixel loss of a depth model over a test set.

  Args:
    model_or_predict: a depth model, or a batched `predict(depth_lr [B, h, w,
      1], guide [B, H, W, 3]) -> [B, H, W, 1]` (normalised depth); pairs of
      equal size go through it together.
    pairs: `depth_test_set(...)`.
    border: pixels cropped from each side for the RMSE.
    loss: 'l2' or 'l1' on normalised depth over valid pixels.

  Returns:
    {'loss', 'rmse': mean over images, 'per_image': {id: rmse}, 'units': 'cm'
    or 'level', 'num_images'}.
  """
  predict = as_predict(model_or_predict)
  rmses, losses = [None] * len(pairs), [None] * len(pairs)
  shapes = [(p["depth_lr"].shape, p["guide"].shape) for p in pairs]
  for idx in same_size_batches(shapes, batch_size):
    out = predict(np.stack([pairs[i]["depth_lr"] for i in idx]),
                  np.stack([pairs[i]["guide"] for i in idx]))
    for j, i in enumerate(idx):
      ex, pred = pairs[i], jnp.asarray(out[j], jnp.float32)
      scale = jnp.float32(ex["scale"])
      losses[i] = float(pixel_loss(pred, jnp.asarray(ex["depth_hr"]) / scale,
                                   loss, jnp.asarray(ex["valid"])))
      err = rmse(pred * scale, ex["depth_hr"], ex["valid"], border)
      rmses[i] = float(err) * ex["metric_scale"]
  return {"loss": float(np.mean(losses)), "rmse": float(np.mean(rmses)),
          "per_image": {p["id"]: r for p, r in zip(pairs, rmses)},
          "units": pairs[0]["metric_units"], "num_images": len(pairs)}


def model_label(model) -> str:
  """'SA M1 F32' etc. for a Table I model, else its family."""
  from attnup_jax.models.presets import DISPLAY_NAMES, preset_name
  name = preset_name(model.spec) if getattr(model, "spec", None) else None
  return DISPLAY_NAMES.get(name, name) if name else type(model).__name__


def _cell(factor: int, r: dict | None) -> list[str]:
  return [f"{r['rmse']:.2f}" if r is not None and f == factor else "-"
          for f in FACTORS]


def format_table(results: dict, factor: int, label: str | None) -> str:
  """Markdown table: our rows per test set, then the paper's NYU v2 rows."""
  lines = [
      f"Depth upsampling RMSE, x{factor} measured (LR = hr[::M, ::M], "
      f"{BORDER}-pixel border crop, holes excluded; cm for metric depth, "
      f"0-255 for 8-bit maps). Paper: Table II, NYU v2 (cm), for reference.",
      "| method | test set | units | x4 | x8 | x16 |", "|---|---|---|---|---|---|"]
  for name, r in results.items():
    b = r["bicubic"]
    where = f"{name} ({b['num_images']} images)"
    units = UNIT_LABELS.get(b["units"], b["units"])
    lines.append("| " + " | ".join(["Bicubic (ours)", where, units,
                                    *_cell(factor, b)]) + " |")
    if "model" in r:
      lines.append("| " + " | ".join([f"{label} (ours)", where, units,
                                      *_cell(factor, r["model"])]) + " |")
  for method, row in paper.DEPTH_TABLE_II.items():
    name = method if "paper" in method else f"{method} (paper)"
    lines.append("| " + " | ".join([name, "NYU v2 (paper's numbers)", "cm",
                                    *[f"{row[f]:.2f}" for f in FACTORS]]) + " |")
  return "\n".join(lines)


def main(args) -> int:
  """Runs `attnup evaluate --task depth`; `args` has checkpoint, datasets,
  factor, data_dir, json and optionally max_images and batch_size."""
  from attnup_jax.models.depth import check_factor
  factor = check_factor(args.factor)
  max_images = getattr(args, "max_images", None)
  batch = dict(batch_size=getattr(args, "batch_size", None) or 4)
  model, label = None, None
  if args.checkpoint:
    from attnup_jax.inference.loading import load_model
    model = load_model(args.checkpoint)
    if getattr(model, "factor", None) != factor:
      raise ValueError(f"the model {args.checkpoint!r} is "
                       f"x{getattr(model, 'factor', '?')}, not x{factor}; pass "
                       f"--factor {getattr(model, 'factor', '?')}.")
    label = model_label(model)
  results = {}
  for name in args.datasets.split(","):
    name = name.strip().lower()
    if not name:
      continue
    pairs = depth_test_set(name, factor, data_dir=args.data_dir,
                           max_images=max_images)
    results[name] = {"bicubic": evaluate_depth(bicubic_predict(factor), pairs,
                                                  **batch)}
    if model is not None:
      results[name]["model"] = evaluate_depth(model, pairs, **batch)
  if args.json:
    print(json.dumps({
        "factor": factor, "border": BORDER, "model": label,
        "results": {n: {k: {m: r[m] for m in ("rmse", "units", "num_images")}
                        for k, r in v.items()} for n, v in results.items()},
        "paper_table_ii_nyu_v2_cm": paper.DEPTH_TABLE_II}, indent=2))
    return 0
  print(format_table(results, factor, label))
  return 0
