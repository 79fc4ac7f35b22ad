"""Upsample a low-resolution depth map guided by a high-resolution RGB image."""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
from PIL import Image

PROG = "attnup upsample-depth"
DEFAULT_NAME = "bilateral_attention"   # docs/RESULTS.md: the shipped depth model
SCALE_16BIT, SCALE_8BIT = 4000.0, 255.0   # RGB-D-D mm, 8-bit levels (datasets.py)


def read_depth(path) -> np.ndarray:
  """A depth map as `[h, w]`: uint16 / uint8 from a 1-channel PNG (unchanged),
  any numeric dtype from a .npy. ValueError for colour images."""
  path = pathlib.Path(path)
  if path.suffix.lower() == ".npy":
    a = np.load(path)
    a = a[..., 0] if a.ndim == 3 and a.shape[-1] == 1 else a
    if a.ndim != 2 or not np.issubdtype(a.dtype, np.number):
      raise ValueError(f"{str(path)!r}: expected a numeric [h, w] array, got "
                       f"{a.dtype} {a.shape}.")
    return a
  with Image.open(path) as im:
    mode, a = im.mode, np.asarray(im)
  if a.ndim != 2:
    raise ValueError(f"{str(path)!r}: a depth map has one channel, got shape "
                     f"{a.shape} (mode {mode}); is this the RGB guide?")
  if a.dtype in (np.int32, np.uint32) and a.min(initial=0) >= 0 and \
      a.max(initial=0) < 2**16:
    a = a.astype(np.uint16)      # PIL opens some 16-bit PNGs as int32 'I'
  if a.dtype not in (np.uint8, np.uint16):
    raise ValueError(f"{str(path)!r}: expected an 8- or 16-bit depth PNG, got "
                     f"{a.dtype} (mode {mode}).")
  return a


def write_depth(path, depth: np.ndarray, like: np.dtype) -> np.ndarray:
  """Writes float `[H, W]` depth: rounded and clipped to `like` (uint8 or uint16)
  for a PNG, float32 for a .npy. Returns what was written."""
  path = pathlib.Path(path)
  if path.suffix.lower() == ".npy":
    out = np.asarray(depth, np.float32)
    np.save(path, out)
    return out
  dtype = np.dtype(np.uint8 if like == np.uint8 else np.uint16)
  out = np.clip(np.rint(depth), 0, np.iinfo(dtype).max).astype(dtype)
  Image.fromarray(out).save(path)
  return out


def _model(args):
  from attnup_jax import pretrained
  from attnup_jax.inference.depth import random_depth_model
  from attnup_jax.inference.loading import load_model
  if args.random_init:
    print(f"{PROG}: WARNING: --random-init: untrained {args.model_name} weights, "
          f"the output is noise (for smoke tests only).", file=sys.stderr)
    return random_depth_model(args.model_name, args.factor)
  name = args.model or f"depth_x{args.factor}_{args.model_name}"
  if args.model is None and name not in pretrained.available():
    raise ValueError(
        f"no bundled depth model {name!r} (bundled: "
        f"{', '.join(pretrained.available()) or 'none'}). Pass --model with a "
        f"weights directory or training workdir, or --random-init for a smoke "
        f"test with untrained weights.")
  model = load_model(name)
  if getattr(model, "factor", None) != args.factor:
    raise ValueError(f"model {name!r} is x{getattr(model, 'factor', '?')}, not "
                     f"x{args.factor}; pass --factor {getattr(model, 'factor', '?')} "
                     f"or a x{args.factor} model.")
  return model


def main(argv=None) -> int:
  p = argparse.ArgumentParser(prog=PROG, description=__doc__)
  p.add_argument("--depth", required=True,
                 help="LR depth: 1-channel 16- or 8-bit PNG, or .npy [h, w]")
  p.add_argument("--guide", required=True, help="HR RGB image, factor x the depth size")
  p.add_argument("--factor", type=int, required=True, help="4, 8 or 16")
  p.add_argument("--out", required=True,
                 help="output .png (uint16, or uint8 for 8-bit input) or .npy "
                      "(float32); a colourised OUT_preview.png is written too")
  p.add_argument("--model", default=None,
                 help="bundled name, weights dir or train workdir "
                      "(default: depth_x{factor}_{model-name})")
  p.add_argument("--model-name", default=DEFAULT_NAME,
                 help="architecture for the default bundled name and "
                      "--random-init (bilateral_attention, sa_m1_f32, djf, ...)")
  p.add_argument("--scale-mm", "--depth-scale", dest="scale", type=float,
                 default=None,
                 help="depth (input units) the network sees as 1.0: the training "
                      f"normalisation (default {SCALE_16BIT:g} for 16-bit mm as "
                      f"RGB-D-D, {SCALE_8BIT:g} for 8-bit input)")
  p.add_argument("--tile", type=int, default=64,
                 help="LR tile side for bounded memory (0: whole image)")
  p.add_argument("--halo", type=int, default=16, help="LR context pixels per tile side")
  p.add_argument("--random-init", action="store_true",
                 help="untrained weights (smoke tests only)")
  args = p.parse_args(argv)

  from attnup_jax.inference.depth import check_pair, upsample_depth
  from attnup_jax.viz import colorize_depth
  try:
    depth = read_depth(args.depth)
    with Image.open(args.guide) as im:
      guide = np.asarray(im.convert("RGB"), np.uint8)
    check_pair(depth.shape, guide.shape, args.factor)   # before loading a model
    model = _model(args)
    scale = args.scale or (SCALE_8BIT if depth.dtype == np.uint8 else SCALE_16BIT)
    hr = upsample_depth(model, depth, guide, scale, tile=args.tile or None,
                        halo=args.halo)
  except (ValueError, FileNotFoundError, OSError) as e:
    print(f"{PROG}: {e}", file=sys.stderr)
    return 2
  out = pathlib.Path(args.out)
  out.parent.mkdir(parents=True, exist_ok=True)
  written = write_depth(out, hr, depth.dtype)
  preview = out.with_name(out.stem + "_preview.png")
  Image.fromarray(colorize_depth(written)).save(preview)
  print(f"{args.depth} {depth.shape[1]}x{depth.shape[0]} {depth.dtype} -> {out} "
        f"{hr.shape[1]}x{hr.shape[0]} {written.dtype} (x{args.factor}, depth "
        f"scale {scale:g}); preview {preview}")
  return 0
