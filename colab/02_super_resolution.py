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
# # Super-resolution with attention-based upsampling
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/attnup-jax/attnup-jax/blob/main/colab/02_super_resolution.ipynb)
#
# The paper's super-resolution network (Kundu et al., Sec. IV-B, Fig. 6) upsamples
# the luminance of an image in x2 stages; each stage is either a transposed
# convolution ("deconvolution") or the attention-based layer. This notebook
#
# 1. loads the bundled weights of both variants at x2, x4 and x8 (`attnup_jax.pretrained`),
# 2. evaluates them against bicubic on Set5, which ships with the package
#    (`attnup_jax.samples`), under the paper's protocol,
# 3. shows the three methods side by side with zoomed crops,
# 4. plots how the bundled weights trained (their shipped logs),
# 5. optionally downloads Set14 and BSDS100 (`attnup_jax.data.download`) and
#    evaluates on them.
#
# Everything is imported from the package; nothing here defines a model, and nothing
# is read from a local data folder. It takes a few minutes on a CPU;
# `QUICK = True` (`ATTNUP_QUICK=1`, as in the tests) uses three of the five images.

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
import pathlib
import shutil
import tempfile
import time

import jax
from IPython.display import display

from attnup_jax import pretrained, samples, viz
from attnup_jax.data import download
from attnup_jax.data.sr import protocol
from attnup_jax.evaluation import paper
from attnup_jax.evaluation.sr import evaluate_bicubic, evaluate_sr, sr_test_set
from attnup_jax.inference import upscale_image
from attnup_jax.models import count_params

QUICK = os.environ.get("ATTNUP_QUICK", "0") == "1"
SCALES = (2, 4, 8)
METHODS = {"deconv": "deconvolution", "attention": "attention"}   # bundled name -> label
RESULTS = {}   # the numbers this notebook prints (tests/test_notebooks.py checks them)
print("JAX", jax.__version__, "on", jax.default_backend(), "| QUICK =", QUICK)

# %% [markdown]
# ## 1. The bundled weights
#
# `pretrained.load(name)` rebuilds the network from the bundled `config.json` and
# loads `params.npz`. The config also records how the weights were trained: the
# training set, the number of steps, and options such as `global_skip` (a global
# bicubic skip connection, not in the paper, that lets short CPU trainings start
# from bicubic). These were trained on a 2-core CPU with a small budget
# (`docs/RESULTS.md`), far from the paper's hours on a GPU; the checkpoint kept is
# the one with the best PSNR on the training run's evaluation set, **Set5**, so
# Set5 is not a held-out set for them: Set14 and BSDS100 (section 5) are.

# %%
models = {}
for scale in SCALES:
  for up in METHODS:
    name = f"sr_x{scale}_{up}"
    models[scale, up] = pretrained.load(name)
    cfg = pretrained.config_of(name)
    tc = cfg["train_config"]
    print(f"{name:<18} {count_params(models[scale, up]) / 1e6:5.2f} M parameters, "
          f"{tc['data']['train_set']}, step {cfg['checkpoint_step']} of {tc['total_steps']}, "
          f"checkpoint chosen by {tc['data']['eval_set']} {tc['best_metric']}, "
          f"global_skip={cfg['spec']['kwargs']['global_skip']}")

# %% [markdown]
# ## 2. Set5, from the package
#
# `attnup_jax.samples.DATA_DIR` is laid out like a data root (`sr/Set5/`), so
# `sr_test_set` reads it as it reads the full sets. The protocol (SPEC Sec. 3):
# 8-bit LR by MATLAB-style bicubic downscaling, the network on Y (bicubic on Cb/Cr),
# the output rounded to 8 bits, PSNR / SSIM on Y with `scale` border pixels shaved;
# `evaluate_bicubic` is the bicubic baseline, on the same decoded images. The paper's Table IV numbers (trained on
# T91 + General-100 for much longer, all five images) are printed beside. In
# `QUICK` mode a temporary data root holds the three smallest images only (*baby*,
# 512 x 512, is half of Set5's pixels).

# %%
set5_root = samples.DATA_DIR
if QUICK:
  set5_root = pathlib.Path(tempfile.mkdtemp())
  (set5_root / "sr" / "Set5").mkdir(parents=True)
  for name in ("bird", "butterfly", "head"):
    shutil.copy(samples.DATA_DIR / "sr" / "Set5" / f"{name}.png", set5_root / "sr" / "Set5")
print("Set5:", {n: im.shape for n, im in samples.set5().items()})
table = {}
t0 = time.time()
for scale in SCALES:
  pairs = sr_test_set("set5", scale, set5_root)
  table[scale, "bicubic"] = evaluate_bicubic(pairs, scale)
  for up in METHODS:
    table[scale, up] = evaluate_sr(models[scale, up], pairs, scale)
names = list(table[2, "bicubic"]["per_image"])
print(f"evaluated {names} in {time.time() - t0:.0f} s\n")

print(f"Set5 PSNR (dB) / SSIM on Y, mean over {len(names)} images")
print(f"{'scale':<7}{'bicubic':>16}{'deconvolution':>16}{'attention':>16}"
      f"{'attn - bicubic':>16}{'paper (5 images): attn / deconv':>34}")
for scale in SCALES:
  cells = [f"{table[scale, m]['psnr']:6.2f} / {table[scale, m]['ssim']:.4f}"
           for m in ("bicubic", *METHODS)]
  gain = table[scale, "attention"]["psnr"] - table[scale, "bicubic"]["psnr"]
  paper_row = "{:.2f} / {:.2f}".format(*paper.SR_TABLE_IV["set5"][scale])
  print(f"x{scale:<6}" + "".join(f"{c:>16}" for c in cells) + f"{gain:>+16.2f}{paper_row:>34}")
  RESULTS[f"set5 x{scale}"] = {m: {"psnr": table[scale, m]["psnr"], "ssim": table[scale, m]["ssim"],
                                   "per_image": {n: v[0] for n, v in table[scale, m]["per_image"].items()}}
                               for m in ("bicubic", *METHODS)}

# %% [markdown]
# Per image, the attention network's PSNR gain over bicubic (dB):

# %%
print(f"{'scale':<7}" + "".join(f"{n:>11}" for n in names))
for scale in SCALES:
  gains = [table[scale, "attention"]["per_image"][n][0] - table[scale, "bicubic"]["per_image"][n][0]
           for n in names]
  print(f"x{scale:<6}" + "".join(f"{g:>+11.2f}" for g in gains))

# %% [markdown]
# ## 3. Side by side
#
# Set5's *butterfly* and *bird* through `attnup_jax.inference.upscale_image` (the
# same path as `attnup upscale`), with zoomed crops; the PSNR in each title is on Y
# with `scale` pixels shaved, as in the table.

# %%
images = samples.set5()
for image_name, scale, boxes in (("butterfly", 4, [(40, 150, 48, 48), (150, 90, 48, 48)]),
                                 ("bird", 8, [(60, 90, 64, 64)])):
  hr = protocol.modcrop(images[image_name], scale)
  lr = protocol.downscale_uint8(hr, scale)
  panels = {f"bicubic x{scale}": protocol.upscale_uint8(lr, scale)}
  for up, label in METHODS.items():
    panels[label] = upscale_image(models[scale, up], lr)
  panels["ground truth"] = hr
  print(f"{image_name}: LR {lr.shape} -> {hr.shape}")
  display(viz.compare_figure(panels, zoom_boxes=boxes, reference="ground truth", scale=scale))

# %% [markdown]
# ## 4. How the bundled weights trained
#
# Each weights folder ships its run's `train_log.jsonl` (train and evaluation
# records interleaved); here the evaluation records (PSNR on Set5 during training)
# of both networks at each scale.

# %%
log_dir = tempfile.mkdtemp()
eval_logs = {}
for scale in SCALES:
  for up, label in METHODS.items():
    records = [r for r in viz.read_jsonl(pretrained.WEIGHTS_DIR / f"sr_x{scale}_{up}" / "train_log.jsonl")
               if r.get("split") == "eval"]
    eval_logs[f"x{scale} {label}"] = path = os.path.join(log_dir, f"x{scale}_{up}.jsonl")
    with open(path, "w") as f:
      f.writelines(json.dumps(r) + "\n" for r in records)
fig = viz.training_curves(list(eval_logs.values()), keys=("psnr",), labels=list(eval_logs),
                          log_scale=())
fig

# %% [markdown]
# ## 5. The full test sets (needs internet)
#
# `attnup_jax.data.download` fetches Set14 (14 images, 5 MB) and BSDS100 (100 images,
# 27 MB) from public copies at pinned commits, checks each file's SHA-256, and lays
# them out as a data root; `sr_test_set(..., data_dir=root)` then reads them. Set
# `DOWNLOAD = True` to run it (it stays off in the tests, which have no internet).

# %%
DOWNLOAD = False
if DOWNLOAD:
  root = download.download("set14", "attnup_data")
  download.download("bsds100", root)
  for test_set in ("set14", "bsds100"):
    for scale in SCALES:
      pairs = sr_test_set(test_set, scale, root)
      row = {"bicubic": evaluate_bicubic(pairs, scale)["psnr"],
             **{m: evaluate_sr(models[scale, m], pairs, scale)["psnr"] for m in METHODS}}
      print(f"{test_set:<8} x{scale}: " + ", ".join(f"{m} {v:.2f} dB" for m, v in row.items())
            + "  | paper attn / deconv {:.2f} / {:.2f}".format(*paper.SR_TABLE_IV[test_set][scale]))
else:
  print("Skipped: set DOWNLOAD = True to fetch Set14 and BSDS100 and evaluate on them.")

# %% [markdown]
# The paper trains on T91 + General-100 for hours and reaches the Table IV numbers
# printed above; `configs/sr.py` holds those runs
# (`python -m train --config configs/sr.py:x2_attention_t91 --workdir DIR`), and
# `03_depth_guided_upsampling` the depth-guided variant.
