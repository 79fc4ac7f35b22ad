"""Depth upsampling metrics (paper Sec. IV-A, Table II) and the bicubic baseline.

RMSE follows DKN/FDKN: on the HR grid, after cropping `border` = 6 pixels from
every side, over valid pixels only (holes, where the ground truth is 0, are
excluded, never averaged in as zeros), one RMSE per image, then the mean over
the images of the test set. Reported in centimetres for metric depth (metres x
100, millimetres / 10) and on the 0-255 scale for 8-bit maps (Lu, Middlebury).

Run the bicubic baseline:  `python -m attnup_jax.metrics.depth`.
"""

from __future__ import annotations

import argparse
import functools
from typing import Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np

from attnup_jax.data.depth import degrade, pipeline

_TO_CM = {"m": 100.0, "mm": 0.1}


def _as_nhwc(x):
  x = jnp.asarray(x)
  return x[..., None] if x.ndim == 2 else x


def rmse(pred, gt, valid=None, border: int = 6) -> jax.Array:
  """Root-mean-square error per image over valid, non-border pixels.

  Args:
    pred: `[..., H, W, C]` (or `[H, W]`), any real dtype, same units as gt.
    gt: same shape as pred.
    valid: bool mask of the same shape; default `gt > 0` (0 = hole).
    border: pixels dropped from each of the four sides before averaging.

  Returns:
    float32 `[...]` (a scalar for one image), in the units of the inputs;
    NaN for an image with no valid pixel left.
  """
  pred, gt = _as_nhwc(pred), _as_nhwc(gt)
  if pred.shape != gt.shape or pred.ndim < 3:
    raise ValueError(f"pred {pred.shape} and gt {gt.shape} must have the same "
                     f"shape [..., H, W, C].")
  valid = gt > 0 if valid is None else _as_nhwc(valid).astype(bool)
  if valid.shape != gt.shape:
    raise ValueError(f"valid {valid.shape} must match gt {gt.shape}.")
  h, w = gt.shape[-3:-1]
  b = int(border)
  if b < 0 or 2 * b >= min(h, w):
    raise ValueError(f"border={border} leaves nothing of a {h}x{w} image.")
  crop = lambda a: a[..., b:h - b, b:w - b, :]
  err = crop(pred).astype(jnp.float32) - crop(gt).astype(jnp.float32)
  v = crop(valid)
  sq = jnp.where(v, err * err, jnp.float32(0)).sum(axis=(-3, -2, -1))
  n = v.sum(axis=(-3, -2, -1)).astype(jnp.float32)
  return jnp.sqrt(sq / n)          # n == 0 -> 0/0 = NaN, on purpose


def to_centimetres(depth, units: str):
  """Metric depth in 'm' (x100) or 'mm' (/10) -> centimetres, float32."""
  if units not in _TO_CM:
    raise ValueError(f"units must be 'm' or 'mm' for centimetres, got {units!r}.")
  return jnp.asarray(depth, jnp.float32) * jnp.float32(_TO_CM[units])


def rmse_cm(pred, gt, units: str, valid=None, border: int = 6) -> jax.Array:
  """`rmse` in centimetres for metric depth given in `units` ('m' | 'mm')."""
  return rmse(to_centimetres(pred, units), to_centimetres(gt, units),
              valid=valid if valid is not None else jnp.asarray(gt) > 0,
              border=border)


def to_levels(x, scale: float = 255.0):
  """Normalised 8-bit depth (`level / 255`) -> 0-255 scale, float32, unrounded."""
  return jnp.asarray(x, jnp.float32) * jnp.float32(scale)


def rmse_levels(pred, gt, valid=None, border: int = 6,
                normalised: bool = False) -> jax.Array:
  """`rmse` on the 0-255 scale of 8-bit depth (Lu, Middlebury, RGBZ).

  With `normalised=True` both maps are in [0, 1] (level / 255) and are scaled
  by 255 first; holes are gt == 0 either way.
  """
  if normalised:
    pred, gt = to_levels(pred), to_levels(gt)
  return rmse(pred, gt, valid=valid, border=border)


@functools.partial(jax.jit, static_argnames=("factor", "align"))
def bicubic_upsample_depth(lr, factor: int, align: str = "grid") -> jax.Array:
  """Bicubic upsampling by M with `jax.image.scale_and_translate(..., 'cubic')`.

  Keys cubic convolution (a = -0.5, as MATLAB `imresize` and PIL BICUBIC),
  no antialiasing (upsampling).

  Args:
    lr: `[..., h, w, C]` float.
    factor: M, a power of two.
    align: 'grid': LR sample m sits on HR pixel M*m, matching `lr_by_grid`
      (`out[::M, ::M] == lr` exactly). The LR map is edge-padded by 2 samples
      first, so every output has its four taps (the last M-1 rows and columns
      lie past the last sample: they extrapolate towards the replicated edge,
      rather than being zeroed as `scale_and_translate` does for outputs that
      map outside the input). 'center': half-pixel centres, exactly
      `jax.image.resize(lr, ..., 'cubic')` (out-of-image taps dropped and the
      weights renormalised), matching `lr_by_bicubic`.

  Returns:
    `[..., M*h, M*w, C]`, lr's dtype.
  """
  m = degrade.check_factor(factor)
  if align not in ("grid", "center"):
    raise ValueError(f"align must be 'grid' or 'center', got {align!r}.")
  if lr.ndim < 3:
    raise ValueError(f"lr must be [..., h, w, C], got shape {lr.shape}.")
  *lead, h, w, c = lr.shape
  if align == "center":
    return jax.image.resize(lr, (*lead, m * h, m * w, c), "cubic")
  p = 2
  pad = [(0, 0)] * len(lead) + [(p, p), (p, p), (0, 0)]
  x = jnp.pad(lr, pad, mode="edge")
  nd = lr.ndim
  shift = (1.0 - m) / 2.0      # padded sample j -> output pixel M*j
  out = jax.image.scale_and_translate(
      x, (*lead, m * (h + 2 * p), m * (w + 2 * p), c), (nd - 3, nd - 2),
      jnp.array([m, m], jnp.float32), jnp.array([shift, shift], jnp.float32),
      method="cubic", antialias=False)
  return out[..., m * p:m * (p + h), m * p:m * (p + w), :]


def evaluate_depth(upsample: Callable[[dict], jax.Array], name: str,
                   factor: int, split: str = "test", data_dir=None,
                   degradation: str = "grid", border: int = 6) -> dict:
  """Mean per-image RMSE of `upsample` over a split.

  Args:
    upsample: maps an example of `pipeline.depth_eval_pairs` to the predicted
      `[H, W, 1]` depth, normalised (as depth_lr).
    name, factor, split, data_dir, degradation: as `depth_eval_pairs`.
    border: pixels cropped from each side.

  Returns:
    {'rmse': mean over images, 'per_image': {id: rmse}, 'units': 'cm' or
    'level', 'num_images': int}.
  """
  per_image = {}
  units = None
  for ex in pipeline.depth_eval_pairs(name, factor, split, data_dir,
                                      degradation):
    pred = jnp.asarray(upsample(ex), jnp.float32) * jnp.float32(ex["scale"])
    err = rmse(pred, ex["depth_hr"], ex["valid"], border)
    per_image[ex["id"]] = float(err) * ex["metric_scale"]
    units = ex["metric_units"]
  values = np.array(list(per_image.values()))
  return {"rmse": float(values.mean()), "per_image": per_image, "units": units,
          "num_images": len(values)}


def bicubic_baseline_rmse(names: Iterable[str] = ("rgbdd", "lu"),
                          factors: Iterable[int] = (4, 8, 16), data_dir=None,
                          degradation: str = "grid") -> dict:
  """Bicubic-upsampling RMSE on each dataset's test split at each factor.

  The LR input is degraded as `degradation`; bicubic uses the matching
  alignment ('grid' for grid sampling, 'center' for bicubic downscaling).

  Returns:
    {(name, factor): `evaluate_depth` result}.
  """
  align = "grid" if degradation == "grid" else "center"
  out = {}
  for name in names:
    for f in factors:
      fn = lambda ex, f=f: bicubic_upsample_depth(jnp.asarray(ex["depth_lr"]),
                                                  f, align)
      out[(name, f)] = evaluate_depth(fn, name, f, "test", data_dir,
                                      degradation)
  return out


def main(argv=None) -> None:
  p = argparse.ArgumentParser(description="Bicubic depth-upsampling baseline.")
  p.add_argument("--datasets", default="rgbdd,lu")
  p.add_argument("--factors", default="4,8,16")
  p.add_argument("--degradation", default="grid", choices=("grid", "bicubic"))
  p.add_argument("--data_dir", default=None)
  a = p.parse_args(argv)
  res = bicubic_baseline_rmse(a.datasets.split(","),
                              [int(f) for f in a.factors.split(",")],
                              a.data_dir, a.degradation)
  print(f"bicubic baseline, LR by {a.degradation}, border 6, holes excluded")
  for (name, f), r in res.items():
    print(f"{name:12s} x{f:<3d} RMSE {r['rmse']:8.3f} {r['units']:5s} "
          f"({r['num_images']} images)")


if __name__ == "__main__":
  main()
