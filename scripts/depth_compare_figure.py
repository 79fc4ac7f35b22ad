"""A comparison like the paper's Fig. 4: guide, bicubic, JBU, DJF, ours and
the ground truth on one test image, with a zoomed crop of each.

    python scripts/depth_compare_figure.py --factor 8 --index 40 \\
        --djf runs/depth_x8_djf --ours runs/depth_x8_bilateral_attention \\
        --out docs/figures/depth_compare_x8.png

`--djf` / `--ours`: training workdirs or bundled weight names (any
`attnup_jax.inference.loading.load_model` spec); a row is left out when not
given. The zoom window is `--zoom y,x,size` in HR pixels (default: the
window with the largest bicubic error). Per-image RMSE (cm) in each title.
"""

from __future__ import annotations

import argparse
import itertools
import pathlib
import sys

import jax.numpy as jnp
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from attnup_jax import ops  # noqa: E402
from attnup_jax.baselines import JBU_PARAMS, jbu_upsample  # noqa: E402
from attnup_jax.data.depth import pipeline  # noqa: E402
from attnup_jax.evaluation.depth import BORDER  # noqa: E402
from attnup_jax.metrics.depth import rmse as rmse_of  # noqa: E402


def worst_window(err: np.ndarray, size: int) -> tuple[int, int]:
  """Top-left corner of the size x size window with the largest summed error."""
  s = np.pad(np.cumsum(np.cumsum(err, 0), 1), ((1, 0), (1, 0)))
  tot = s[size:, size:] - s[:-size, size:] - s[size:, :-size] + s[:-size, :-size]
  y, x = np.unravel_index(np.argmax(tot), tot.shape)
  return int(y), int(x)


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  p.add_argument("--dataset", default="rgbdd")
  p.add_argument("--factor", type=int, default=8)
  p.add_argument("--index", type=int, default=0, help="image of the test split")
  p.add_argument("--djf", default=None)
  p.add_argument("--ours", default=None)
  p.add_argument("--ours_label", default="Ours")
  p.add_argument("--zoom", default=None, help="y,x,size in HR pixels")
  p.add_argument("--out", default="docs/figures/depth_compare_x8.png")
  a = p.parse_args(argv)
  m = a.factor
  ex = next(itertools.islice(pipeline.depth_eval_pairs(a.dataset, m, "test"),
                              a.index, None), None)
  if ex is None:
    raise SystemExit(f"--index {a.index} is past the end of {a.dataset} test.")
  d, g = jnp.asarray(ex["depth_lr"])[None], jnp.asarray(ex["guide"])[None]
  preds = {"Bicubic": ops.bicubic_upsample(d, m, "grid"),
           "JBU": jbu_upsample(d, g, m, **JBU_PARAMS[m])}
  from attnup_jax.inference.loading import load_model
  for label, spec in (("DJF", a.djf), (a.ours_label, a.ours)):
    if spec:
      preds[label] = load_model(spec)(d, g)
  scale, hr, valid = ex["scale"], ex["depth_hr"][..., 0], ex["valid"][..., 0]
  shown = {k: np.asarray(v)[0, ..., 0] * scale for k, v in preds.items()}
  rmse = {k: float(rmse_of(v, hr, valid, BORDER)) * ex["metric_scale"]
          for k, v in shown.items()}
  if a.zoom:
    y, x, size = (int(t) for t in a.zoom.split(","))
  else:
    size = min(hr.shape) // 4
    y, x = worst_window(np.abs(shown["Bicubic"] - hr) * valid, size)
  panels = [("Guide", ex["guide"])] + [
      (f"{k} {rmse[k]:.2f} {ex['metric_units']}", v) for k, v in shown.items()] + [
      ("Ground truth", np.where(valid, hr, np.nan))]
  lo, hi = np.percentile(hr[valid], [1, 99])
  fig, axes = plt.subplots(2, len(panels), figsize=(2.6 * len(panels), 4.6))
  for j, (title, img) in enumerate(panels):
    kw = {} if img.ndim == 3 else dict(cmap="viridis", vmin=lo, vmax=hi)
    axes[0, j].imshow(img, **kw)
    axes[0, j].add_patch(Rectangle((x, y), size, size, fill=False, ec="r", lw=1))
    axes[0, j].set_title(title, fontsize=8)
    axes[1, j].imshow(img[y:y + size, x:x + size], interpolation="nearest", **kw)
    for ax in axes[:, j]:
      ax.set_axis_off()
  fig.suptitle(f"{a.dataset} test image {ex['id']}, x{m} "
               f"(LR = hr[::{m}, ::{m}]); bottom: zoom of the red box", fontsize=9)
  fig.tight_layout()
  pathlib.Path(a.out).parent.mkdir(parents=True, exist_ok=True)
  fig.savefig(a.out, dpi=130)
  print(f"wrote {a.out}: " + ", ".join(f"{k} {v:.3f}" for k, v in rmse.items()))
  return 0


if __name__ == "__main__":
  sys.exit(main())
