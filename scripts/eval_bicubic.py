"""Bicubic baseline PSNR / SSIM on Y under the SPEC Sec. 3 protocol vs published.

  python scripts/eval_bicubic.py [--data_dir ../shared/data] [--sets Set5 Set14 BSDS100]
      [--scales 2 4] [--per_image]

Published bicubic PSNR means (dB) are those of SPEC Sec. 3 (from the SR
literature: SRCNN / VDSR / LapSRN tables).
"""

from __future__ import annotations

import argparse
import time

from attnup_jax.evaluation.sr import evaluate_bicubic, sr_test_set

PUBLISHED_PSNR = {
    ("Set5", 2): 33.66, ("Set5", 4): 28.42,
    ("Set14", 2): 30.24, ("Set14", 4): 26.00,
    ("BSDS100", 2): 29.56, ("BSDS100", 4): 25.96,
}


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--data_dir", default=None)
  parser.add_argument("--sets", nargs="+", default=["Set5", "Set14", "BSDS100"])
  parser.add_argument("--scales", nargs="+", type=int, default=[2, 4])
  parser.add_argument("--per_image", action="store_true")
  parser.add_argument("--tolerance", type=float, default=0.05,
                      help="exit status 1 when |ours - published| exceeds it")
  args = parser.parse_args(argv)

  print(f"{'set':<8} {'x':>2} {'PSNR ours':>10} {'published':>10} {'diff':>7} "
        f"{'SSIM ours':>10} {'time':>6}")
  worst = 0.0
  for name in args.sets:
    for scale in args.scales:
      start = time.perf_counter()
      result = evaluate_bicubic(sr_test_set(name, scale, args.data_dir), scale)
      elapsed = time.perf_counter() - start
      pub = PUBLISHED_PSNR.get((name, scale))
      diff = result["psnr"] - pub if pub is not None else float("nan")
      if pub is not None:
        worst = max(worst, abs(diff))
      pub_s = f"{pub:10.2f}" if pub is not None else f"{'-':>10}"
      print(f"{name:<8} {scale:>2} {result['psnr']:10.3f} {pub_s} {diff:+7.3f} "
            f"{result['ssim']:10.4f} {elapsed:5.1f}s")
      if args.per_image:
        for n, (p, s) in result["per_image"].items():
          print(f"    {n:<12} {p:8.3f} {s:8.4f}")
  print(f"max |diff| = {worst:.3f} dB (tolerance {args.tolerance})")
  return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
  raise SystemExit(main())
