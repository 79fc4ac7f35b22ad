# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Depth-guided upsampling with attention
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/attnup-jax/attnup-jax/blob/main/colab/03_depth_guided_upsampling.ipynb)
#
# Kundu et al. (Sec. IV-A, Fig. 3, Algorithm 1) upsample a low-resolution depth map
# with the help of a high-resolution RGB guide: features of the depth are upsampled
# in x2 stages by masked windowed attention whose queries and keys come from both
# the depth features and the (pooled) guide features, so edges of the guide can steer
# where the depth is interpolated. The model this package ships for it (the default
# of `attnup upsample-depth`) is an attention of the same kind over each HR pixel's
# 4 x 4 LR samples, initialised as joint bilateral upsampling. This notebook
#
# 1. takes the real RGB-D pair that ships with the package (`attnup_jax.samples`,
#    from the RGB-D-D test split) and makes the low-resolution depth by grid
#    sampling (`hr[::M, ::M]`, the paper's protocol) at x4, x8 and x16,
# 2. upsamples it with bicubic, joint bilateral upsampling (Kopf et al. 2007) and the
#    bundled depth model (the default of `attnup upsample-depth`), with RMSE in cm,
# 3. shows the depth colourised at each stage,
# 4. shows where the model's attention looks, over the guide's edges, beside the
#    joint bilateral weights it started from.
#
# Everything is imported from the package; nothing here defines a model or reads a
# local data folder. It runs in about a minute on a CPU.

# %%
# Colab only: install the pinned release of attnup-jax (elsewhere this cell does
# nothing; install from a checkout with `pip install -e .`).
import subprocess
import sys

ATTNUP_REPO = "https://github.com/attnup-jax/attnup-jax"   # PLACEHOLDER: not yet published
ATTNUP_REF = "v0.1.0"   # the release tag of pyproject's version (tests/test_notebook_sources.py)
if "google.colab" in sys.modules:
  subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                  f"attnup-jax @ git+{ATTNUP_REPO}@{ATTNUP_REF}"], check=True)

# %%
# %matplotlib inline
import time

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from IPython.display import display

from attnup_jax import pretrained, samples, viz
from attnup_jax.commands.upsample_depth import DEFAULT_NAME   # the CLI's default model
from attnup_jax.data.depth import lr_by_grid
from attnup_jax.inference.depth import upsample_depth
from attnup_jax.metrics.depth import bicubic_upsample_depth, rmse_cm
from attnup_jax.models import count_params

FACTORS = (4, 8, 16)
FACTOR = 8            # the one drawn below
BORDER = 6            # pixels dropped per side in RMSE (DKN / FDKN protocol)
RESULTS = {}          # the numbers this notebook prints (tests/test_notebooks.py checks them)
print("JAX", jax.__version__, "on", jax.default_backend(), "| model:", DEFAULT_NAME)

# %% [markdown]
# ## 1. A real RGB-D pair
#
# RGB-D-D (He et al., CVPR 2021): 512 x 384 RGB with depth in millimetres from a
# time-of-flight camera, 0 where there is no measurement. `samples.rgbdd_pair()` is
# the first pair of the project's test split (see `attnup_jax/samples/README.md`);
# `download.download("rgbdd", dest)` fetches all 405 pairs.

# %%
pair = samples.rgbdd_pair()
rgb, depth = pair["rgb"], pair["depth"]            # uint8 [H, W, 3], uint16 [H, W] mm
print(f"RGB-D-D {pair['id']}: guide {rgb.shape} {rgb.dtype}, depth {depth.shape} {depth.dtype} "
      f"{pair['units']}, {depth[depth > 0].min()}-{depth.max()} mm, {np.mean(depth == 0):.1%} holes")

# %% [markdown]
# ## 2. Bicubic, joint bilateral upsampling and the bundled model
#
# - **bicubic**: `metrics.depth.bicubic_upsample_depth` on the LR grid
#   (`out[::M, ::M] == lr` exactly).
# - **JBU**: joint bilateral upsampling (Kopf, Cohen, Lischinski, Uyttendaele,
#   SIGGRAPH 2007): each output pixel averages the LR samples of a 4 x 4 window
#   around it, weighted by a spatial Gaussian (sigma 0.5 LR pixels) times a Gaussian of
#   the guide colour difference (sigma 0.4), holes excluded
#   (`attnup_jax.baselines.jbu_upsample`, parameters chosen on RGB-D-D train).
# - **model**: `pretrained.load(f"depth_x{M}_{DEFAULT_NAME}")`, the model
#   `attnup upsample-depth` uses, run by `inference.depth.upsample_depth` (the
#   depth normalised by the training set's 4000 mm).
#
# RMSE (DKN/FDKN protocol): centimetres, measured pixels only, 6 border pixels dropped.

# %%
from attnup_jax.baselines import JBU_PARAMS, jbu_upsample

def jbu(depth_lr, guide, factor):
  """The library's JBU with the parameters chosen on RGB-D-D train:
  depth_lr [h, w] (0 = hole), guide float [M*h, M*w, 3] in [0, 1] -> [M*h, M*w]."""
  out = jbu_upsample(jnp.asarray(depth_lr, jnp.float32)[None, ..., None],
                     jnp.asarray(guide)[None], factor, **JBU_PARAMS[factor])
  return np.asarray(out)[0, ..., 0]

# %%
guide = rgb.astype(np.float32) / 255.0
outputs, models = {}, {}
print(f"{'factor':<8}{'LR':>10}{'bicubic':>10}{'JBU':>10}{'model':>10}   RMSE (cm)")
for factor in FACTORS:
  lr = lr_by_grid(depth, factor)                                     # uint16 [H/M, W/M]
  models[factor] = pretrained.load(f"depth_x{factor}_{DEFAULT_NAME}")
  t0 = time.time()
  out = {
      "bicubic": np.asarray(bicubic_upsample_depth(
          jnp.asarray(lr, jnp.float32)[..., None], factor))[..., 0],
      "JBU": jbu(lr, guide, factor),
      "model": upsample_depth(models[factor], lr, rgb, pair["scale"]),
  }
  outputs[factor] = {"lr": lr, **out}
  err = {k: float(rmse_cm(v, depth, pair["units"], border=BORDER)) for k, v in out.items()}
  RESULTS[f"x{factor}"] = err
  print(f"x{factor:<7}{str(lr.shape):>10}" + "".join(f"{err[k]:>10.2f}" for k in out)
        + f"   ({time.time() - t0:.1f} s)")
cfg = pretrained.config_of(f"depth_x{FACTOR}_{DEFAULT_NAME}")
print(f"\ndepth_x{FACTOR}_{DEFAULT_NAME}: {count_params(models[FACTOR]):,} parameters, "
      f"{cfg['spec']['family']}, best of {cfg['train_config']['total_steps']} training steps "
      f"at step {cfg['checkpoint_step']} (by RMSE on the held-back 'val' split)")

# %% [markdown]
# The bundled depth model is the **bilateral-attention** option
# (`attnup_jax.models.depth_bilateral`, not the paper's network; `docs/RESULTS.md`
# says why it is the one shipped): each HR pixel attends over the 4 x 4 LR samples
# around it, with logits that start as joint bilateral upsampling's and a CNN on
# the LR grid that learns corrections of them. It was trained for 3000 steps on the
# RGB-D-D train split on a 2-core CPU (`configs/depth.py`, the `cpu` recipe) and
# selected on a held-back part of train; this pair is from the test split, which
# training never saw. The paper's network is `pretrained.load("depth_x8_sa_m1_f32")`.
#
# ## 3. The depth at each stage
#
# x8: the LR map is enlarged by pixel repetition; all maps share one colour range
# (turbo: near is blue) and the zoom is on the strongest depth edge of the ground truth.

# %%
valid = depth > 0
vmin, vmax = np.percentile(depth[valid], [1, 99])
colour = lambda d: viz.colorize_depth(d, valid=np.ones(d.shape, bool), vmin=vmin, vmax=vmax)
lr = outputs[FACTOR]["lr"]
gy, gx = np.gradient(np.where(valid, depth.astype(np.float64), np.nan))
edge_strength = np.nan_to_num(np.hypot(gy, gx))
ey, ex = np.unravel_index(np.argmax(edge_strength[16:-16, 16:-16]), (depth.shape[0] - 32, depth.shape[1] - 32))
side = 96
box = (int(np.clip(ey + 16 - side // 2, 0, depth.shape[0] - side)),
       int(np.clip(ex + 16 - side // 2, 0, depth.shape[1] - side)), side, side)
panels = {"RGB guide": rgb,
          f"LR depth (1/{FACTOR}, enlarged)": np.repeat(np.repeat(colour(lr), FACTOR, 0), FACTOR, 1)}
for method in ("bicubic", "JBU", "model"):
  panels[f"{method}\nRMSE {RESULTS[f'x{FACTOR}'][method]:.2f} cm"] = colour(outputs[FACTOR][method])
panels["ground truth"] = viz.colorize_depth(depth, vmin=vmin, vmax=vmax)
display(viz.compare_figure(panels, zoom_boxes=[box], panel_size=3.0))

# %% [markdown]
# The error of each method at x8 (absolute difference to the ground truth, 0 to 10 cm,
# dark = small): where the methods differ is at the depth edges.

# %%
errors = {m: np.clip(np.abs(outputs[FACTOR][m] - depth) / 100.0, 0, 1)   # mm -> 0..10 cm
          for m in ("bicubic", "JBU", "model")}
display(viz.compare_figure({f"|{m} - gt|": e for m, e in errors.items()}, zoom_boxes=[box],
                           panel_size=3.0))

# %% [markdown]
# ## 4. Where the model attends
#
# `model(depth_lr, guide, return_weights=True)` also returns the softmax that made
# the output: for every HR pixel, 16 weights over its 4 x 4 window of LR samples
# (holes get none). The same model before training (`BilateralAttentionUpsampler`
# at initialisation, its correction CNN's last layer zero) *is* joint bilateral
# upsampling, so the two heat maps below show what training changed: at three
# pixels on strong ground-truth depth edges and at the flattest pixel, the guide
# around the pixel (dots: the trained weights) and both windows.
#
# One number sums it up: at the 2% of pixels with the strongest depth edges, how
# much weight goes to LR samples within 5 cm of the pixel's true depth (the right
# side of the edge).

# %%
from attnup_jax.models.depth_bilateral import BilateralAttentionUpsampler

model = models[FACTOR]
init = BilateralAttentionUpsampler(FACTOR, rngs=nnx.Rngs(0))        # = JBU, untrained
depth_in = jnp.asarray(lr, jnp.float32)[None, ..., None] / pair["scale"]   # [1, h, w, 1]
attend = nnx.jit(lambda model, d, g: model(d, g, return_weights=True))
windows = {}
for name, net in (("trained", model), ("JBU (= the model untrained)", init)):
  out_n, w_n = attend(net, depth_in, jnp.asarray(guide)[None])
  windows[name] = np.asarray(w_n[0])                             # [H, W, 16]
  if net is init:   # the untrained model reproduces the library's JBU
    RESULTS["untrained vs JBU (mm)"] = float(np.abs(
        np.asarray(out_n[0, ..., 0]) * pair["scale"] - outputs[FACTOR]["JBU"]).max())
weights = windows["trained"]
RESULTS["window sums"] = [float(weights.sum(-1).min()), float(weights.sum(-1).max())]

margin = 16
strength = np.zeros_like(edge_strength)
strength[margin:-margin, margin:-margin] = edge_strength[margin:-margin, margin:-margin]
edges = np.argwhere(valid & (strength >= np.percentile(strength[valid], 98)))
def same_side(i, j):
  """`[16]` bool: which samples of pixel (i, j)'s window are measured and
  within 50 mm of its true depth (outside the image: False)."""
  at = viz.window_samples(i, j, FACTOR).reshape(16, 2) // FACTOR   # LR (row, col)
  inside = (at >= 0).all(1) & (at[:, 0] < lr.shape[0]) & (at[:, 1] < lr.shape[1])
  d_t = np.where(inside, lr[np.clip(at[:, 0], 0, lr.shape[0] - 1),
                            np.clip(at[:, 1], 0, lr.shape[1] - 1)], 0).astype(float)
  return (d_t > 0) & (np.abs(d_t - depth[i, j]) < 50)
near = np.stack([same_side(i, j) for i, j in edges])            # [E, 16], once for all maps
RESULTS["same-side weight"] = {                                  # mean weight on those samples
    name: float((w[edges[:, 0], edges[:, 1]] * near).sum(-1).mean())
    for name, w in windows.items()}
print(f"{len(edges)} edge pixels; weight on the right side of the edge:",
      {k: round(v, 3) for k, v in RESULTS["same-side weight"].items()})

pixels = []
for flat_index in np.argsort(strength, axis=None)[::-1]:      # strong edges, well apart
  i, j = (int(v) for v in np.unravel_index(flat_index, strength.shape))
  if all(abs(i - a) + abs(j - b) > 60 for a, b in pixels):
    pixels.append((i, j))
  if len(pixels) == 3:
    break
flat = np.full_like(edge_strength, np.inf)
flat[margin:-margin, margin:-margin] = edge_strength[margin:-margin, margin:-margin]
pixels.append(tuple(int(v) for v in np.unravel_index(np.argmin(flat), flat.shape)))
print("pixels (row, col):", pixels, "| window sums", RESULTS["window sums"])
fig = viz.lr_window_maps(windows, pixels, FACTOR, image=rgb)
fig

# %% [markdown]
# `attnup upsample-depth --depth lr.png --guide rgb.png --factor 8 --out hr.png` runs
# the same model on your own pairs. `configs/depth.py` holds the shipped recipe,
# `python -m train --config configs/depth.py:bilateral_attention_x8_rgbdd,cpu --workdir DIR`,
# and the paper's runs, e.g. `configs/depth.py:sa_m1_f32_x8_rgbdd`.
