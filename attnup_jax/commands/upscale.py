"""Super-resolve images: the network on Y, bicubic on CbCr, tiled for big images."""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
from PIL import Image
from tqdm import tqdm

from attnup_jax.data.sr import load_image_uint8


def main(argv=None) -> int:
  p = argparse.ArgumentParser(prog="attnup upscale", description=__doc__)
  p.add_argument("inputs", nargs="+", help="image files (PNG, JPEG, BMP, ...)")
  p.add_argument("--scale", type=int, required=True, choices=(2, 4, 8))
  p.add_argument("--upsampler", default="attention", choices=("attention", "deconv"))
  p.add_argument("--model", default=None,
                 help="bundled name, weights dir or train workdir "
                      "(default: sr_x{scale}_{upsampler})")
  p.add_argument("--out", required=True, help="output directory")
  p.add_argument("--tile", type=int, default=128,
                 help="LR tile size for bounded memory (0: whole image)")
  p.add_argument("--halo", type=int, default=16, help="context pixels per tile side")
  args = p.parse_args(argv)

  from attnup_jax.inference import upscale_image
  from attnup_jax.inference.loading import load_model
  name = args.model or f"sr_x{args.scale}_{args.upsampler}"
  try:
    model = load_model(name)
  except (ValueError, FileNotFoundError) as e:
    print(f"attnup upscale: {e}", file=sys.stderr)
    return 2
  if model.scale != args.scale:
    print(f"attnup upscale: model {name!r} is x{model.scale}, not x{args.scale}.",
          file=sys.stderr)
    return 2
  out_dir = pathlib.Path(args.out)
  out_dir.mkdir(parents=True, exist_ok=True)
  for path in tqdm(args.inputs, desc=f"x{args.scale} {name}", unit="img",
                   disable=len(args.inputs) < 2):
    try:
      image = load_image_uint8(path)
    except (ValueError, FileNotFoundError) as e:
      print(f"attnup upscale: skipping {path}: {e}", file=sys.stderr)
      continue
    sr = upscale_image(model, image, tile=args.tile or None, halo=args.halo)
    target = out_dir / (pathlib.Path(path).stem + f"_x{args.scale}.png")
    Image.fromarray(np.squeeze(sr)).save(target)
    print(f"{path} {image.shape[1]}x{image.shape[0]} -> {target} "
          f"{sr.shape[1]}x{sr.shape[0]}")
  return 0
