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
# # attnup-jax quickstart: attention-based upsampling as a drop-in layer
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/attnup-jax/attnup-jax/blob/main/colab/01_quickstart.ipynb)
#
# Kundu et al., *Attention-based Image Upsampling* (arXiv 2012.09904) replace the
# transposed convolution of an upsampling network by **masked windowed attention**:
# every output pixel attends over the low-resolution pixels of its K x K window, with
# weights computed from the content instead of a fixed kernel. This notebook
#
# 1. swaps `nnx.ConvTranspose` for `attnup_jax.nn.AttentionUpsample` in a small NNX
#    model and in a Linen model (same shapes, far fewer parameters),
# 2. trains each for a few steps on a toy x2 super-resolution task,
# 3. shows the attention kernels the trained layer computes on a real image, next to
#    the fixed kernel of the trained transposed convolution.
#
# Everything comes from the `attnup_jax` package; nothing here defines a model or
# reads data from disk. `QUICK = True` (the default) finishes in about a minute on a CPU.

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
import json
import os
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import linen, nnx
from skimage import data

from attnup_jax import viz
from attnup_jax.data.sr import imresize, rgb_to_y
from attnup_jax.models.sr import SuperResolutionNet, count_params
from attnup_jax.nn import AttentionUpsample, attention_upsample_linen

# QUICK: tiny runs (about a minute on CPU). Set False for longer training.
QUICK = os.environ.get("ATTNUP_QUICK", "1") == "1"
STEPS = 25 if QUICK else 400
RESULTS = {}   # the numbers this notebook prints (tests/test_notebooks.py checks them)
print("JAX", jax.__version__, "on", jax.default_backend(), "| QUICK =", QUICK)

# %% [markdown]
# ## 1. A drop-in for `nnx.ConvTranspose`
#
# `AttentionUpsample(Cin, Cout, K, S)` maps `[B, H, W, Cin]` to `[B, S*H, S*W, Cout]`,
# exactly like `nnx.ConvTranspose(Cin, Cout, (K, K), strides=(S, S), padding='SAME')`.
# Queries, keys and values are 1x1 projections, so it has `3*Cin*Cout + K*Cout`
# parameters instead of the transposed convolution's `K*K*Cin*Cout + Cout`.

# %%
rngs = nnx.Rngs(0)
x = jnp.ones((2, 16, 16, 32))
layers = {
    "ConvTranspose": nnx.ConvTranspose(32, 32, (5, 5), strides=(2, 2), padding="SAME", rngs=rngs),
    "AttentionUpsample": AttentionUpsample(32, 32, kernel_size=5, strides=2, rngs=rngs),
}
shape_of = lambda module, *args: jax.eval_shape(lambda m, *a: m(*a), module, *args).shape
print(f"{'layer':<20}{'input':<18}{'output':<18}{'params':>8}")
for name, layer in layers.items():
  RESULTS[f"{name} params"] = count_params(layer)
  RESULTS[f"{name} output"] = list(shape_of(layer, x))
  print(f"{name:<20}{str(x.shape):<18}{str(shape_of(layer, x)):<18}{count_params(layer):>8}")

# %% [markdown]
# The paper's super-resolution network (Fig. 6) uses the layer in each x2 stage; with
# 128 features it reproduces Table III's parameter counts:

# %%
for scale in (2, 4, 8):   # nnx.eval_shape: shapes only, no initialisation
  counts = {up: count_params(nnx.eval_shape(
                lambda: SuperResolutionNet(scale, up, rngs=nnx.Rngs(0)))) / 1e6
            for up in ("attention", "deconv")}
  RESULTS[f"table III x{scale}"] = {up: round(c, 2) for up, c in counts.items()}
  print(f"x{scale}: attention {counts['attention']:.2f} M, deconvolution {counts['deconv']:.2f} M")

# %% [markdown]
# ### In a small NNX model and in a Linen model
#
# The same toy upsampler four ways: NNX or Linen, transposed convolution or attention.
# Only the upsampling layer changes (`attention_upsample_linen` wraps the NNX layer for
# Linen through `flax.nnx.bridge`).

# %%
F = 16

def nnx_model(upsampler):
  up = (nnx.ConvTranspose(F, F, (5, 5), strides=(2, 2), padding="SAME", rngs=nnx.Rngs(1))
        if upsampler == "deconv" else AttentionUpsample(F, F, 5, 2, rngs=nnx.Rngs(1)))
  return nnx.Sequential(nnx.Conv(1, F, (3, 3), rngs=nnx.Rngs(0)), jax.nn.relu, up,
                        nnx.Conv(F, 1, (3, 3), rngs=nnx.Rngs(2)))

def linen_model(upsampler):
  up = (linen.ConvTranspose(F, (5, 5), strides=(2, 2), padding="SAME")
        if upsampler == "deconv" else attention_upsample_linen(F, F, 5, 2))
  return linen.Sequential([linen.Conv(F, (3, 3)), linen.relu, up, linen.Conv(1, (3, 3))])

lr_example = jnp.zeros((1, 16, 16, 1))
nnx_models = {up: nnx_model(up) for up in ("deconv", "attention")}
linen_models = {up: linen_model(up) for up in ("deconv", "attention")}
linen_params = {up: jax.jit(m.init)(jax.random.key(0), lr_example)["params"]
                for up, m in linen_models.items()}
n_params = lambda tree: sum(p.size for p in jax.tree.leaves(tree))
print(f"{'':<12}{'NNX output':<18}{'NNX params':>11}   {'Linen output':<18}{'Linen params':>12}")
for up in ("deconv", "attention"):
  y_nnx = shape_of(nnx_models[up], lr_example)
  y_linen = jax.eval_shape(linen_models[up].apply, {"params": linen_params[up]}, lr_example).shape
  RESULTS[f"toy {up} params"] = {"nnx": count_params(nnx_models[up]),
                                 "linen": n_params(linen_params[up])}
  print(f"{up:<12}{str(y_nnx):<18}{count_params(nnx_models[up]):>11}   "
        f"{str(y_linen):<18}{n_params(linen_params[up]):>12}")

# %% [markdown]
# *These two helpers only compose library layers with `nnx.Sequential` /
# `linen.Sequential`; the paper's networks live in `attnup_jax.models`.*
#
# ## 2. A few training steps on a toy task
#
# x2 super-resolution of the astronaut's luminance (scikit-image's sample image):
# 32 x 32 high-resolution patches, low-resolution inputs by MATLAB-style bicubic
# downscaling (`attnup_jax.data.sr.imresize`).

# %%
hr_y = rgb_to_y(data.astronaut())[..., None].astype(np.float32) / 255.0   # [512, 512, 1]
rng = np.random.default_rng(0)
corners = rng.integers(0, hr_y.shape[0] - 32, size=(64, 2))
hr_patches = np.stack([hr_y[y:y + 32, x:x + 32] for y, x in corners]).astype(np.float32)
lr_patches = np.stack([imresize(p, 0.5) for p in hr_patches]).astype(np.float32)
lr_patches = lr_patches.reshape(-1, 16, 16, 1)
print("HR patches", hr_patches.shape, "| LR patches", lr_patches.shape)

def batches(steps, batch=8, seed=0):
  r = np.random.default_rng(seed)
  for _ in range(steps):
    idx = r.choice(len(hr_patches), batch, replace=False)
    yield jnp.asarray(lr_patches[idx]), jnp.asarray(hr_patches[idx])


# %%
log_dir = tempfile.mkdtemp()

@nnx.jit
def nnx_step(model, optimizer, lr, hr):
  loss_fn = lambda m: jnp.mean((m(lr) - hr) ** 2)
  loss, grads = nnx.value_and_grad(loss_fn)(model)
  optimizer.update(model, grads)
  return loss

def linen_step_fn(model, tx):
  @jax.jit
  def step(params, opt_state, lr, hr):
    loss_fn = lambda p: jnp.mean((model.apply({"params": p}, lr) - hr) ** 2)
    loss, grads = jax.value_and_grad(loss_fn)(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss
  return step

logs = {}
for framework in ("nnx", "linen"):
  for up in ("deconv", "attention"):
    name = f"{framework}_{up}"
    logs[name] = os.path.join(log_dir, name, "metrics.jsonl")
    os.makedirs(os.path.dirname(logs[name]), exist_ok=True)
    tx = optax.adam(1e-3)
    if framework == "nnx":
      optimizer = nnx.Optimizer(nnx_models[up], tx, wrt=nnx.Param)
    else:
      params, opt_state = linen_params[up], tx.init(linen_params[up])
      linen_step = linen_step_fn(linen_models[up], tx)
    t0, losses = time.time(), []
    with open(logs[name], "w") as f:
      for i, (lr, hr) in enumerate(batches(STEPS)):
        if framework == "nnx":
          loss = nnx_step(nnx_models[up], optimizer, lr, hr)
        else:
          params, opt_state, loss = linen_step(params, opt_state, lr, hr)
        losses.append(float(loss))
        psnr = float(-10 * np.log10(max(losses[-1], 1e-12)))
        f.write(json.dumps({"step": i, "loss": losses[-1], "psnr": psnr}) + "\n")
    if framework == "linen":
      linen_params[up] = params
    RESULTS[f"{name} loss"] = {"first": losses[0], "last": losses[-1]}
    print(f"{name:<16} {STEPS} steps in {time.time() - t0:5.1f} s   loss {losses[0]:.5f} "
          f"-> {losses[-1]:.5f}  ({psnr:.2f} dB)")

# %%
fig = viz.training_curves(list(logs.values()), keys=("loss", "psnr"),
                          labels=list(logs.keys()))
fig

# %% [markdown]
# ## 3. The kernels attention computes on a real image
#
# Run the two NNX models just trained on a whole crop of the astronaut (they are fully
# convolutional) and look at the attention weights of single output pixels:
# `AttentionUpsample(..., return_weights=True)` also returns `[2H, 2W, K*K]`, each
# output pixel's softmax over its 5 x 5 window (zero where the zero-upsampled grid holds
# no low-resolution pixel). On an edge the window can lean to the pixels on the pixel's
# own side; in flat regions it spreads out. The transposed convolution applies one fixed
# kernel everywhere (shown as the L2 norm of its taps over channels).

# %%
hr_crop = hr_y[40:168, 160:288]                                   # [128, 128, 1]
lr_crop = imresize(hr_crop, 0.5).astype(np.float32)               # [64, 64, 1]
lr_img = jnp.asarray(lr_crop[None])

attn_model = nnx_models["attention"]          # Sequential(conv, relu, AttentionUpsample, conv)
features = jax.nn.relu(attn_model.layers[0](lr_img))
_, weights = attn_model.layers[2](features, return_weights=True)   # [1, 128, 128, 25]
weights = np.asarray(weights[0])
RESULTS["window sums"] = [float(weights.sum(-1).min()), float(weights.sum(-1).max())]

# The output pixel on the strongest edge and the one in the flattest region.
gy, gx = np.gradient(hr_crop[..., 0])
strength = np.hypot(gy, gx)[8:-8, 8:-8]
edge = tuple(int(v) + 8 for v in np.unravel_index(np.argmax(strength), strength.shape))
flat = tuple(int(v) + 8 for v in np.unravel_index(np.argmin(strength), strength.shape))
deconv_kernel = np.asarray(nnx_models["deconv"].layers[2].kernel[...])   # [5, 5, F, F]
fig = viz.attention_maps(weights, [edge, flat], kernel_size=5, image=hr_crop,
                         conv_kernel=deconv_kernel)
fig

# %%
upscale = nnx.jit(lambda model, x: model(x))
outputs = {up: np.clip(np.asarray(upscale(nnx_models[up], lr_img)[0]), 0, 1)
           for up in ("deconv", "attention")}
fig = viz.compare_figure(
    {"bicubic": np.clip(imresize(lr_crop, 2.0), 0, 1), "deconvolution": outputs["deconv"],
     "attention": outputs["attention"], "ground truth": hr_crop},
    zoom_boxes=[(max(edge[0] - 12, 0), max(edge[1] - 12, 0), 24, 24)],
    reference="ground truth")
fig

# %% [markdown]
# After a few dozen steps on toy patches these pictures say little about the methods
# (the paper trains for hours on T91); `02_super_resolution` runs the bundled,
# trained networks on Set5. See `configs/` and `train/` for the paper's experiments.
# Next: export a model with
# `attnup export --model sr_x2_attention --random-init --out sr.bin`
# and load it anywhere with `attnup_jax.export.load_exported`.
