"""Upscale bundled sample images with the bundled models; PSNR table and figures."""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

SAMPLES = ("astronaut", "chelsea", "coffee")   # scikit-image's bundled images


def _sample(name: str) -> np.ndarray:
  from skimage import data
  if not hasattr(data, name):
    raise ValueError(f"scikit-image has no sample image {name!r}.")
  return np.asarray(getattr(data, name)())


def _zoom_box(shape, size: int) -> tuple[int, int, int, int]:
  """A square zoom box in the upper middle of the image (faces, textures)."""
  h, w = shape[:2]
  return (max(h // 3 - size // 2, 0), max(w // 2 - size // 2, 0), size, size)


def run(scale: int, images, out: pathlib.Path, tile: int) -> list[dict]:
  from attnup_jax import pretrained, viz
  from attnup_jax.data.sr import protocol
  from attnup_jax.inference import upscale_image
  from attnup_jax.metrics.sr import psnr_y
  models = {}
  for up in ("deconv", "attention"):
    name = f"sr_x{scale}_{up}"
    if name not in pretrained.available():
      raise ValueError(f"bundled weights {name!r} are missing (available: "
                       f"{pretrained.available()}); train them with "
                       f"scripts/train_sr_pretrained.sh.")
    models[up] = pretrained.load(name)
  out.mkdir(parents=True, exist_ok=True)
  rows = []
  for name in images:
    hr = protocol.modcrop(_sample(name), scale)
    lr = protocol.downscale_uint8(hr, scale)
    results = {"bicubic": protocol.upscale_uint8(lr, scale),
               "deconvolution": upscale_image(models["deconv"], lr, tile=tile),
               "attention": upscale_image(models["attention"], lr, tile=tile)}
    psnr = {k: psnr_y(hr, v, scale) for k, v in results.items()}
    rows.append({"image": name, **psnr})
    box = _zoom_box(hr.shape, max(hr.shape[0] // 6, 24))
    viz.compare_figure({**results, "ground truth": hr}, [box], psnr=psnr,
                       path=out / f"demo_x{scale}_{name}.png")
  return rows


def main(argv=None) -> int:
  p = argparse.ArgumentParser(prog="attnup demo", description=__doc__)
  p.add_argument("--scale", type=int, default=2, choices=(2, 4, 8))
  p.add_argument("--images", default=",".join(SAMPLES),
                 help="scikit-image sample names, comma-separated")
  p.add_argument("--out", default="demo_out", help="where figures are written")
  p.add_argument("--tile", type=int, default=128)
  args = p.parse_args(argv)
  try:
    rows = run(args.scale, args.images.split(","), pathlib.Path(args.out), args.tile)
  except ValueError as e:
    print(f"attnup demo: {e}", file=sys.stderr)
    return 2
  print(f"\nPSNR (dB) on Y, x{args.scale}, LR by MATLAB bicubic downscaling of "
        f"scikit-image samples; bundled weights (see docs/RESULTS.md for their "
        f"training budget)")
  print("| image | bicubic | deconvolution | attention |")
  print("|---|---:|---:|---:|")
  for r in rows:
    print(f"| {r['image']} | {r['bicubic']:.2f} | {r['deconvolution']:.2f} | "
          f"{r['attention']:.2f} |")
  mean = {k: np.mean([r[k] for r in rows]) for k in ("bicubic", "deconvolution", "attention")}
  print(f"| mean | {mean['bicubic']:.2f} | {mean['deconvolution']:.2f} | "
        f"{mean['attention']:.2f} |")
  print(f"\nfigures: {args.out}/demo_x{args.scale}_*.png")
  return 0
