"""The SR results tables of docs/RESULTS.md: bicubic and the bundled
deconvolution / attention weights at every scale, on Set5, Set14, BSDS100,
with the paper's Table IV beside them, and the Set5 curve of each training run.

    python scripts/sr_results.py                  # all bundled sr_x{2,4,8}_* weights
    python scripts/sr_results.py --scales 4 --sets set5,bsds100

Protocol as `attnup evaluate` (SPEC Sec. 3: Y of BT.601, 8-bit, `scale`
pixels shaved). Weights that are not bundled are skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from attnup_jax import pretrained  # noqa: E402
from attnup_jax.evaluation import paper  # noqa: E402
from attnup_jax.evaluation.sr import (evaluate_bicubic, evaluate_sr,  # noqa: E402
                                      sr_test_set)

UPSAMPLERS = (("deconv", "deconvolution"), ("attention", "attention"))


def curve(name: str) -> dict[int, float]:
  """{step: Set5 PSNR} of the run behind bundled weights `name`."""
  log = pretrained.WEIGHTS_DIR / name / "train_log.jsonl"
  rows = [json.loads(l) for l in log.read_text().splitlines() if l.strip()]
  return {r["step"]: r["psnr"] for r in rows if r.get("split") == "eval" and "psnr" in r}


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--scales", default="2,4,8")
  p.add_argument("--sets", default="set5,set14,bsds100")
  p.add_argument("--max_images", type=int, default=None)
  a = p.parse_args(argv)
  scales = [int(s) for s in a.scales.split(",")]
  sets = [s.strip().lower() for s in a.sets.split(",") if s.strip()]
  print("| set | x | bicubic | deconvolution (ours) | attention (ours) | "
        "attention - deconv | paper deconv | paper attention |")
  print("|---|---:|---:|---:|---:|---:|---:|---:|")
  curves = {}
  for s in scales:
    models = {}
    for up, _ in UPSAMPLERS:
      name = f"sr_x{s}_{up}"
      try:
        models[up] = pretrained.load(name)
        curves[name] = curve(name)
      except (OSError, ValueError) as e:
        print(f"(no bundled {name}: {e})", file=sys.stderr)
    for d in sets:
      pairs = sr_test_set(d, s, max_images=a.max_images)
      r = {"bicubic": evaluate_bicubic(pairs, s)}
      for up, m in models.items():
        r[up] = evaluate_sr(m, pairs, s)
      cell = lambda k: (f"{r[k]['psnr']:.2f} / {r[k]['ssim']:.4f}" if k in r else "-")
      diff = (f"{r['attention']['psnr'] - r['deconv']['psnr']:+.2f}"
              if "attention" in r and "deconv" in r else "-")
      att, dec = paper.SR_TABLE_IV[d][s]
      print(f"| {d} | {s} | {cell('bicubic')} | {cell('deconv')} | {cell('attention')} "
            f"| {diff} | {dec:.2f} | {att:.2f} |", flush=True)
  if curves:
    steps = sorted({st for c in curves.values() for st in c})
    print("\nSet5 PSNR during training (eval of the training loop):\n")
    print("| run | " + " | ".join(str(st) for st in steps) + " |")
    print("|---|" + "---:|" * len(steps))
    for name, c in curves.items():
      print(f"| {name} | " + " | ".join(f"{c[st]:.2f}" if st in c else "-"
                                         for st in steps) + " |")
  return 0


if __name__ == "__main__":
  sys.exit(main())
