"""Evaluate a model on the benchmarks, in the paper's table layout."""

from __future__ import annotations

import argparse
import json
import sys

from attnup_jax.evaluation import paper


def _sr(args) -> int:
  from attnup_jax.evaluation.sr import evaluate_bicubic, evaluate_sr, sr_test_set
  from attnup_jax.inference.loading import load_model
  model = load_model(args.checkpoint) if args.checkpoint else None
  if model is not None and model.scale != args.scale:
    print(f"attnup evaluate: the model is x{model.scale}, not x{args.scale}.",
          file=sys.stderr)
    return 2
  results = {}
  for name in args.datasets.split(","):
    pairs = sr_test_set(name.strip(), args.scale, args.data_dir, args.max_images)
    name = name.strip().lower()
    results[name] = {"bicubic": evaluate_bicubic(pairs, args.scale)}
    if model is not None:
      results[name]["ours"] = evaluate_sr(model, pairs, args.scale,
                                          batch_size=args.batch_size)
  if args.json:
    print(json.dumps({k: {m: {"psnr": r["psnr"], "ssim": r["ssim"]}
                          for m, r in v.items()} for k, v in results.items()},
                     indent=2))
    return 0
  label = getattr(model, "upsampler", "model") if model is not None else None
  print(f"PSNR / SSIM on Y, x{args.scale} (SPEC Sec. 3 protocol); paper: Table IV "
        f"(T91+General-100), attention / deconvolution")
  head = "| set | bicubic | bicubic (published) |"
  head += f" ours ({label}) |" if model is not None else ""
  print(head + " paper attention | paper deconvolution |")
  print("|---" * (head.count("|") + 1) + "|")
  for name, r in results.items():
    b = r["bicubic"]
    pub = paper.SR_BICUBIC.get(name, {}).get(args.scale)
    row = f"| {name} | {b['psnr']:.2f} / {b['ssim']:.4f} | {pub if pub else '-'} |"
    if model is not None:
      row += f" {r['ours']['psnr']:.2f} / {r['ours']['ssim']:.4f} |"
    att, dec = paper.SR_TABLE_IV[name][args.scale]
    print(row + f" {att:.2f} | {dec:.2f} |")
  return 0


def _depth(args) -> int:
  try:
    from attnup_jax.evaluation.depth import main as depth_main
  except ImportError as e:
    print(f"attnup evaluate --task depth is not available: {e}", file=sys.stderr)
    return 2
  return depth_main(args)


def main(argv=None) -> int:
  p = argparse.ArgumentParser(prog="attnup evaluate", description=__doc__)
  p.add_argument("--task", default="sr", choices=("sr", "depth"))
  p.add_argument("--checkpoint", default=None,
                 help="bundled name, weights dir or train workdir (omit: bicubic only)")
  p.add_argument("--datasets", default="set5,set14,bsds100")
  p.add_argument("--scale", type=int, default=2, choices=(2, 4, 8),
                 help="SR factor (--task sr)")
  p.add_argument("--factor", type=int, default=8,
                 help="depth upsampling factor 4, 8 or 16 (--task depth)")
  p.add_argument("--data_dir", default=None)
  p.add_argument("--max_images", type=int, default=None,
                 help="evaluate only the first N images of each set")
  p.add_argument("--batch-size", type=int, default=4,
                 help="images of equal size run through the model together")
  p.add_argument("--json", action="store_true", help="print JSON instead of a table")
  args = p.parse_args(argv)
  try:
    return _sr(args) if args.task == "sr" else _depth(args)
  except (ValueError, FileNotFoundError) as e:
    print(f"attnup evaluate: {e}", file=sys.stderr)
    return 2
