"""`attnup evaluate --task depth`: RMSE of bicubic (and a model) on the depth
test sets, in the layout of the paper's Table II (rows: methods; columns:
x4 / x8 / x16), with the paper's NYU v2 rows for reference.

Protocol (SPEC Sec. 4): LR = hr[::M, ::M] of the HR map mod-cropped to a
multiple of M, RMSE on the HR grid after cropping 6 pixels per border, holes
(gt = 0) excluded, mean of per-image RMSEs; centimetres for metric depth
(RGB-D-D, NYU), the 0-255 scale for 8-bit maps (Lu_DepthEnh).
"""

from __future__ import annotations

import itertools
import json
import pathlib

import jax.numpy as jnp
import numpy as np

from attnup_jax.data.depth import pipeline
from attnup_jax.evaluation import paper
from attnup_jax.metrics import depth as depth_metrics

FACTORS = (4, 8, 16)
BORDER = 6
UNIT_LABELS = {"cm": "cm", "level": "0-255"}


def bicubic_fn(factor: int):
  """`ex -> [H, W, 1]` normalised: grid-aligned bicubic (matches LR = hr[::M, ::M])."""
  return lambda ex: depth_metrics.bicubic_upsample_depth(
      jnp.asarray(ex["depth_lr"]), factor, "grid")


def model_fn(model, tile: int | None = None):
  """`ex -> [H, W, 1]` normalised: the model on the pair's normalised inputs."""
  from attnup_jax.inference.depth import predict_normalised
  return lambda ex: predict_normalised(model, ex["depth_lr"], ex["guide"], tile=tile)


def evaluate(upsample, name: str, factor: int, data_dir=None,
             max_images: int | None = None) -> dict:
  """`metrics.depth.evaluate_depth` on the test split, optionally on its first
  `max_images` images only (same per-image RMSE and mean).

  Returns:
    {'rmse', 'per_image', 'units', 'num_images'} as `evaluate_depth`.
  """
  if max_images is None:
    return depth_metrics.evaluate_depth(upsample, name, factor, "test", data_dir,
                                        "grid", BORDER)
  per_image, units = {}, None
  pairs = pipeline.depth_eval_pairs(name, factor, "test", data_dir, "grid")
  for ex in itertools.islice(pairs, max_images):
    pred = jnp.asarray(upsample(ex), jnp.float32) * jnp.float32(ex["scale"])
    err = depth_metrics.rmse(pred, ex["depth_hr"], ex["valid"], BORDER)
    per_image[ex["id"]] = float(err) * ex["metric_scale"]
    units = ex["metric_units"]
  if not per_image:
    raise ValueError(f"no test images in {name!r} (max_images={max_images}).")
  values = np.array(list(per_image.values()))
  return {"rmse": float(values.mean()), "per_image": per_image, "units": units,
          "num_images": len(values)}


def model_label(spec: str) -> str:
  """'SA M1 F32' etc. from the checkpoint's config.json, else the spec itself."""
  from attnup_jax import pretrained
  from attnup_jax.models.depth_zoo import DISPLAY_NAMES
  for path in (pretrained.WEIGHTS_DIR / spec / "config.json",
               pathlib.Path(spec) / "config.json"):
    try:
      m = json.loads(path.read_text())["model"]
    except (OSError, ValueError, KeyError, TypeError):
      continue
    name = m.get("kwargs", m).get("name")
    if name:
      return DISPLAY_NAMES.get(name, name)
  return spec


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
  factor, data_dir, json and optionally max_images and tile."""
  from attnup_jax.models.depth import check_factor
  factor = check_factor(args.factor)
  max_images = getattr(args, "max_images", None)
  model, label = None, None
  if args.checkpoint:
    from attnup_jax.inference.loading import load_model
    model = load_model(args.checkpoint)
    if getattr(model, "factor", None) != factor:
      raise ValueError(f"the model {args.checkpoint!r} is "
                       f"x{getattr(model, 'factor', '?')}, not x{factor}; pass "
                       f"--factor {getattr(model, 'factor', '?')}.")
    label = model_label(args.checkpoint)
  results = {}
  for name in args.datasets.split(","):
    name = name.strip().lower()
    if not name:
      continue
    results[name] = {"bicubic": evaluate(bicubic_fn(factor), name, factor,
                                         args.data_dir, max_images)}
    if model is not None:
      results[name]["model"] = evaluate(
          model_fn(model, getattr(args, "tile", None)), name, factor,
          args.data_dir, max_images)
  if args.json:
    print(json.dumps({
        "factor": factor, "border": BORDER, "model": label,
        "results": {n: {k: {m: r[m] for m in ("rmse", "units", "num_images")}
                        for k, r in v.items()} for n, v in results.items()},
        "paper_table_ii_nyu_v2_cm": paper.DEPTH_TABLE_II}, indent=2))
    return 0
  print(format_table(results, factor, label))
  return 0
