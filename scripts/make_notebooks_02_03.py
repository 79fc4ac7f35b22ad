"""Writes colab/02_super_resolution.ipynb and colab/03_depth_guided_upsampling.ipynb:

    python scripts/make_notebooks_02_03.py colab/

Both notebooks are clients of the package (see colab/README.md): they install
it on Colab, import models, configs, data readers, metrics and figures from it,
and define no model. Cell ids are fixed so that regenerating gives stable diffs.
"""
import pathlib
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO_URL = "https://github.com/attnup-jax/attnup-jax"


def badge(filename: str) -> str:
  return ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
          f"(https://colab.research.google.com/github/attnup-jax/attnup-jax/blob/main/"
          f"colab/{filename})")


INSTALL = f"""
import sys
if 'google.colab' in sys.modules:  # Colab: install the package from GitHub
  !pip install -q "attnup-jax @ git+{REPO_URL}"
"""


class Notebook:
  """Collects markdown and code cells; `write` gives them stable ids."""

  def __init__(self, prefix: str):
    self.prefix, self.cells = prefix, []

  def md(self, source: str) -> None:
    self.cells.append(new_markdown_cell(source.strip("\n")))

  def code(self, source: str) -> None:
    self.cells.append(new_code_cell(source.strip("\n")))

  def write(self, path: pathlib.Path) -> None:
    for i, cell in enumerate(self.cells):
      cell["id"] = f"{self.prefix}-{i:02d}"
    nb = new_notebook(cells=self.cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3",
                       "language": "python"},
        "language_info": {"name": "python"},
        "colab": {"provenance": []}})
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    print(f"wrote {path} ({len(self.cells)} cells)")


# =====================================================================
# 02: single-image super-resolution
# =====================================================================

def super_resolution() -> Notebook:
  nb = Notebook("sr")
  nb.md(f"""
# Super-resolution with attention-based upsampling

{badge("02_super_resolution.ipynb")}

The paper's super-resolution network (Kundu et al., Sec. IV-B, Fig. 6) upsamples
the luminance of an image in x2 stages; each stage is either a transposed
convolution ("deconvolution") or the attention-based layer. This notebook

1. loads the bundled weights of both variants at `SCALE` (`attnup_jax.pretrained`),
2. super-resolves a real image and compares bicubic, deconvolution and attention
   with zoomed crops (PSNR on Y, the paper's protocol),
3. runs a short training with the repository's training program (`train`,
   `configs/sr.py`) and plots its loss curve,
4. evaluates on Set5 when the benchmark data are available.

Everything is imported from the package; nothing here defines a model.
`QUICK = True` (the default, `ATTNUP_QUICK=1`) finishes in under 3 minutes on a CPU.
""")
  nb.code(INSTALL)
  nb.code("""
%matplotlib inline
import json, os, tempfile, time

import jax
import numpy as np
from flax import nnx
from IPython.display import display
from skimage import data as skimage_data

from attnup_jax import pretrained, viz
from attnup_jax.data import paths
from attnup_jax.data.sr import load_image_uint8, protocol
from attnup_jax.evaluation.sr import evaluate_bicubic, evaluate_sr, sr_test_set
from attnup_jax.inference import upscale_image
from attnup_jax.models import SuperResolutionNet, count_params
from configs import sr as sr_configs
from train import logs as train_logs
from train.loop import train_and_evaluate

# QUICK: a few training steps and 2 Set5 images (< 3 min on CPU). False: longer runs.
QUICK = os.environ.get('ATTNUP_QUICK', '1') == '1'
SCALE = 2   # 2, 4 or 8: bundled weights exist for each (docs/RESULTS.md)
print('JAX', jax.__version__, 'on', jax.default_backend(), '| QUICK =', QUICK)

# Benchmark data: $ATTNUP_DATA_DIR or ../shared/data (folders sr/T91, sr/Set5, ...).
try:
  DATA_DIR = paths.data_root()
except FileNotFoundError as e:
  DATA_DIR = None
  print('No benchmark data:', e)
HAVE_SET5 = DATA_DIR is not None and (DATA_DIR / 'sr' / 'Set5').is_dir()
HAVE_T91 = DATA_DIR is not None and (DATA_DIR / 'sr' / 'T91').is_dir()
print('data dir:', DATA_DIR, '| Set5:', HAVE_SET5, '| T91:', HAVE_T91)
""")

  nb.md("""
## 1. Pretrained weights

`pretrained.load(name)` rebuilds the network from the bundled `config.json` and
loads `params.npz`; it also records how the weights were trained (steps, data, and
options such as `global_skip`, a global bicubic skip connection that is not in the
paper but lets short CPU trainings start from bicubic). If this install has no
bundled weights yet, the cell falls back
to a **randomly initialised** network of the same architecture, so the rest of the
notebook still runs, but its pictures and PSNRs then say nothing about the method.
""")
  nb.code("""
def load_sr(scale, upsampler):
  name = f'sr_x{scale}_{upsampler}'
  if name in pretrained.available():
    model = pretrained.load(name)
    cfg = pretrained.config_of(name)
    print(f"{name}: bundled weights, spec {cfg['spec']['kwargs']}, checkpoint step "
          f"{cfg.get('checkpoint_step')}, eval at checkpoint {cfg.get('eval_at_checkpoint')}")
    return model, True
  print(f'WARNING: no bundled weights {name!r} in this install '
        f'(available: {pretrained.available()}). Using a RANDOMLY INITIALISED '
        f'SuperResolutionNet({scale}, {upsampler!r}): its outputs and PSNRs below are '
        f'meaningless; update the package (or train one, section 3) for real results.')
  return SuperResolutionNet(scale, upsampler, rngs=nnx.Rngs(0)), False

models, pretrained_ok = {}, {}
for upsampler in ('deconv', 'attention'):
  models[upsampler], pretrained_ok[upsampler] = load_sr(SCALE, upsampler)
for upsampler, model in models.items():
  print(f'{upsampler:<10} x{model.scale}: {count_params(model) / 1e6:.2f} M parameters')
""")

  nb.code("""
# Training logs shipped with the weights (train_log.jsonl), when present.
shipped = {up: pretrained.WEIGHTS_DIR / f'sr_x{SCALE}_{up}' / 'train_log.jsonl' for up in models}
shipped = {up: p for up, p in shipped.items() if pretrained_ok[up] and p.is_file()}
if shipped:
  log_dir = tempfile.mkdtemp()
  eval_logs = {}
  for up, p in shipped.items():     # keep the Set5 evaluations (split == 'eval')
    eval_logs[up] = os.path.join(log_dir, f'{up}_eval.jsonl')
    with open(eval_logs[up], 'w') as f:
      f.writelines(json.dumps(r) + '\\n' for r in viz.read_jsonl(p) if r.get('split') == 'eval')
  fig = viz.training_curves(list(eval_logs.values()), keys=('loss', 'psnr'),
                            labels=[f'{up} (Set5 eval)' for up in eval_logs])
  display(fig)
else:
  print('No training logs bundled (random-init fallback above).')
""")

  nb.md("""
## 2. Super-resolving a real image

The low-resolution input is made by the paper's protocol: MATLAB-style bicubic
downscaling of the 8-bit image (`protocol.downscale_uint8`). The networks run on
the Y channel and bicubic handles Cb/Cr (`attnup_jax.inference.upscale_image`);
PSNR is on Y with `SCALE` border pixels shaved (`viz.compare_figure(..., scale=)`).
The image is Set5's *butterfly* when the benchmark data are present, else a crop
of scikit-image's astronaut.
""")
  nb.code("""
if HAVE_SET5:
  hr = load_image_uint8(DATA_DIR / 'sr' / 'Set5' / 'butterfly.png')      # [256, 256, 3]
  boxes = [(40, 150, 48, 48), (150, 90, 48, 48)]
  image_name = 'Set5 butterfly'
else:
  hr = skimage_data.astronaut()[16:272, 128:384]                         # [256, 256, 3]
  boxes = [(70, 100, 48, 48), (108, 72, 48, 48)]
  image_name = 'astronaut crop'
hr = protocol.modcrop(hr, SCALE)
lr = protocol.downscale_uint8(hr, SCALE)
print(image_name, '| HR', hr.shape, '| LR', lr.shape)

outputs = {'bicubic': protocol.upscale_uint8(lr, SCALE)}
for upsampler, title in (('deconv', 'deconvolution'), ('attention', 'attention')):
  t0 = time.time()
  outputs[title] = upscale_image(models[upsampler], lr)
  print(f'{title:<14} {time.time() - t0:5.1f} s (first call includes compilation)')
outputs['ground truth'] = hr
fig = viz.compare_figure(outputs, zoom_boxes=boxes, reference='ground truth', scale=SCALE)
if not all(pretrained_ok.values()):
  fig.suptitle('random-init fallback: network outputs are not meaningful', color='red')
fig
""")

  nb.md("""
## 3. A short training run

The training program behind the bundled weights is `train.loop.train_and_evaluate`
with a config from `configs/sr.py` (the same as
`python -m train --config configs/sr.py:x2_attention_t91,quick --workdir DIR`).
The `quick` variant is a tiny network (16 features) on small crops of two T91
images, evaluated on crops of two Set5 images; `QUICK = False` trains the paper's
network (128 features) for a few thousand steps. Both upsamplers get the same
budget, seed and batches. Metrics land in `<workdir>/metrics.jsonl`.
""")
  nb.code("""
train_dirs = {}
if not (HAVE_T91 and HAVE_SET5):
  print('Skipped: training needs sr/T91 and sr/Set5 under the data dir '
        '(set ATTNUP_DATA_DIR to the folder that holds sr/).')
else:
  for upsampler in ('deconv', 'attention'):
    if QUICK:
      config = sr_configs.get_config(f'x{SCALE}_{upsampler}_t91,quick')
      config.total_steps, config.eval_every, config.checkpoint_every = 30, 15, 30
    else:
      config = sr_configs.get_config(f'x{SCALE}_{upsampler}_t91')
      config.total_steps, config.eval_every, config.checkpoint_every = 3000, 250, 1000
      config.log_every = 25
    train_dirs[upsampler] = tempfile.mkdtemp(prefix=f'sr_{upsampler}_')
    t0 = time.time()
    result = train_and_evaluate(config, train_dirs[upsampler])
    losses = result['losses']
    print(f'{upsampler:<10} {len(losses)} steps in {time.time() - t0:5.1f} s | first loss '
          f'{losses[min(losses)]:.4f}, last {losses[max(losses)]:.4f} | final eval '
          + ', '.join(f'{k}={v:.4g}' for k, v in result['eval'].items()))
""")
  nb.code("""
# Train-loss and evaluation-PSNR curves from each workdir's metrics.jsonl.
if train_dirs:
  curve_files = {}
  for upsampler, workdir in train_dirs.items():
    for split in ('train', 'eval'):
      path = os.path.join(workdir, f'{split}.jsonl')
      with open(path, 'w') as f:   # one file per split: train and eval records interleave
        f.writelines(json.dumps(r) + '\\n' for r in train_logs.read_metrics(workdir, split))
      curve_files[upsampler, split] = path
  fig = viz.training_curves([curve_files[up, 'train'] for up in train_dirs], keys=('loss',),
                            labels=[f'{up} train' for up in train_dirs])
  display(fig)
  fig = viz.training_curves([curve_files[up, 'eval'] for up in train_dirs], keys=('psnr',),
                            labels=[f'{up} eval' for up in train_dirs], log_scale=())
  display(fig)
""")

  nb.md("""
## 4. Set5 evaluation

`evaluate_sr` follows the published protocol: bicubic-downscaled 8-bit inputs,
the network on Y, the output quantised to 8 bits, PSNR / SSIM on Y with `SCALE`
pixels shaved; `evaluate_bicubic` is the bicubic baseline, on the same decoded
images. `QUICK` uses the first two images only.
""")
  nb.code("""
if not HAVE_SET5:
  print('Skipped: Set5 not found (set ATTNUP_DATA_DIR to the folder that holds sr/Set5).')
else:
  pairs = sr_test_set('set5', SCALE, DATA_DIR, max_images=2 if QUICK else None)
  results = {'bicubic': evaluate_bicubic(pairs, SCALE)}
  for upsampler, title in (('deconv', 'deconvolution'), ('attention', 'attention')):
    results[title] = evaluate_sr(models[upsampler], pairs, SCALE)
  names = list(results['bicubic']['per_image'])
  print(f"Set5 x{SCALE}, PSNR (dB) / SSIM on Y" + ('' if all(pretrained_ok.values())
        else '   [random-init fallback: network rows are meaningless]'))
  print(f"{'method':<15}" + ''.join(f'{n:>16}' for n in names) + f"{'mean':>16}")
  for method, r in results.items():
    cells = [f'{p:6.2f} / {s:.4f}' for p, s in (r['per_image'][n] for n in names)]
    print(f'{method:<15}' + ''.join(f'{c:>16}' for c in cells)
          + f"{r['psnr']:9.2f} / {r['ssim']:.4f}")
""")

  nb.md("""
The paper reports x2 Set5 PSNRs of about 37 dB for both networks after long
training on T91 + General-100; see `configs/sr.py` for the exact runs
(`python -m train --config configs/sr.py:x2_attention_t91 --workdir DIR`), and
`03_depth_guided_upsampling.ipynb` for the depth-guided variant.
""")
  return nb


# =====================================================================
# 03: depth-guided upsampling
# =====================================================================

def depth_guided() -> Notebook:
  nb = Notebook("depth")
  nb.md(f"""
# Depth-guided upsampling with attention

{badge("03_depth_guided_upsampling.ipynb")}

Kundu et al. (Sec. IV-A, Fig. 3, Algorithm 1) upsample a low-resolution depth map
with the help of a high-resolution RGB guide: features of the depth are upsampled
in x2 stages by masked windowed attention whose queries and keys come from both
the depth features and the (pooled) guide features, so edges of the guide steer
where the depth is interpolated. This notebook

1. reads a real RGB-D pair (RGB-D-D test split) and makes the x8 low-resolution
   depth by grid sampling (`hr[::8, ::8]`, the paper's protocol),
2. trains a small model from Table I (*SA M1 F8*) for a few steps on crops of the
   RGB-D-D training split,
3. shows the depth colourised at each stage (LR, bicubic, model, ground truth)
   with RMSE in centimetres,
4. shows the attention windows of the model's last stage at pixels near depth
   edges, over the guide image.

Everything is imported from the package; nothing here defines a model.
`QUICK = True` (the default, `ATTNUP_QUICK=1`) finishes in under 3 minutes on a CPU.
""")
  nb.code(INSTALL)
  nb.code("""
%matplotlib inline
import inspect, os, time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from IPython.display import display

from attnup_jax import viz
from attnup_jax.data.depth import depth_eval_pairs, depth_train_dataset, lr_by_grid
from attnup_jax.metrics.depth import bicubic_upsample_depth, rmse
from attnup_jax.models import build_depth_model, count_params

# QUICK: ~40 steps on 64 x 64 crops (< 3 min on CPU). False: longer training.
QUICK = os.environ.get('ATTNUP_QUICK', '1') == '1'
FACTOR = 8
MODEL = 'sa_m1_f8'
STEPS, CROP, BATCH, TRAIN_IMAGES = (40, 64, 4, 16) if QUICK else (3000, 128, 8, None)
print('JAX', jax.__version__, 'on', jax.default_backend(), '| QUICK =', QUICK)
""")

  nb.md("""
## 1. A real RGB-D pair

RGB-D-D (He et al. 2021): 512 x 384 RGB with depth in millimetres from a
time-of-flight camera, 0 where there is no measurement. It is read from
`$ATTNUP_DATA_DIR` or `../shared/data` (`depth/RGBDD/RGB`, `depth/RGBDD/Depth`).
`depth_eval_pairs` gives the guide in [0, 1], the ground truth in millimetres and
the normalised LR depth the network sees (`depth / 4000`); we check the LR map is
exactly `lr_by_grid` of the ground truth.
""")
  nb.code("""
try:
  pair = next(iter(depth_eval_pairs('rgbdd', FACTOR, split='test')))
  HAVE_DATA = True
except FileNotFoundError as e:
  pair, HAVE_DATA = None, False
  print('No RGB-D data, so this notebook stops here (the cells below do nothing).\\n'
        'Set ATTNUP_DATA_DIR to a folder holding depth/RGBDD/{RGB,Depth}.\\n', e)

if HAVE_DATA:
  guide = pair['guide']                                   # [H, W, 3] float in [0, 1]
  depth_hr = pair['depth_hr'][..., 0]                     # [H, W] millimetres, 0 = hole
  depth_lr = pair['depth_lr']                             # [H/8, W/8, 1] normalised
  to_cm = lambda x: np.asarray(x) * pair['scale'] * pair['metric_scale']   # normalised -> cm
  assert np.allclose(depth_lr[..., 0] * pair['scale'], lr_by_grid(depth_hr, FACTOR))
  print(f"RGB-D-D test image {pair['id']}: guide {guide.shape}, depth {depth_hr.shape} "
        f"({pair['units']}, {np.mean(depth_hr == 0):.1%} holes), LR {depth_lr.shape}")
""")

  nb.md(f"""
## 2. A few training steps of SA M1 F8

`build_depth_model('sa_m1_f8', 8)` is the smallest attention model of Table I
(CNN_T / CNN_G widths 96, 48, 8). Batches of random crops come from the RGB-D-D
*training* split (`depth_train_dataset`), so the test pair above is unseen. The
loss is the mean squared error over measured pixels.

We pass `residual=True`, an option of `JointAttentionUpsampler` that adds the
bicubic-upsampled input to the output. It is **not** in the paper; it makes a run
of a few dozen CPU steps start from bicubic instead of from a random map. Set
`RESIDUAL = False` for the paper's network (it needs many more steps).
""")
  nb.code("""
RESIDUAL = True
if HAVE_DATA:
  model = build_depth_model(MODEL, FACTOR, residual=RESIDUAL, rngs=nnx.Rngs(0))
  optimizer = nnx.Optimizer(model, optax.adam(2e-4), wrt=nnx.Param)   # the short-run lr (configs/common.py)
  print(f'{MODEL} x{FACTOR}: {count_params(model):,} parameters, window K = {model.kernel_size}, '
        f'{model.stages} attention stages')

  @nnx.jit
  def train_step(model, optimizer, batch):
    def loss_fn(model):
      pred = model(batch['depth_lr'], batch['guide'])
      err = jnp.where(batch['valid'], pred - batch['depth_hr'], 0.0)
      return jnp.sum(err ** 2) / jnp.maximum(jnp.sum(batch['valid']), 1)
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss

  batches = iter(depth_train_dataset('rgbdd', FACTOR, crop=CROP, batch_size=BATCH, seed=0,
                                     max_images=TRAIN_IMAGES))
  losses, t0 = [], time.time()
  for step in range(STEPS):
    batch = {k: jnp.asarray(v) for k, v in next(batches).items()}
    losses.append(float(train_step(model, optimizer, batch)))
    if step % max(STEPS // 5, 1) == 0 or step == STEPS - 1:
      print(f'step {step:5d}  loss {losses[-1]:.2e}  (RMSE on the crops ~'
            f'{to_cm(np.sqrt(losses[-1])):.1f} cm)  {time.time() - t0:5.1f} s')
""")

  nb.md("""
## 3. The depth at each stage

The LR map is shown enlarged by pixel repetition; every map shares one colour
range (turbo: near is blue) and holes are black. RMSE follows DKN/FDKN: in
centimetres, over measured pixels, 6 border pixels dropped.
""")
  nb.code("""
if HAVE_DATA:
  upsample = nnx.jit(lambda model, d, g: model(d, g))
  pred = np.asarray(upsample(model, jnp.asarray(depth_lr[None]), jnp.asarray(guide[None]))[0, ..., 0])
  bicubic = np.asarray(bicubic_upsample_depth(jnp.asarray(depth_lr[None]), FACTOR)[0, ..., 0])
  gt_cm = to_cm(depth_hr / pair['scale'])
  err = {name: float(rmse(to_cm(x), gt_cm)) for name, x in (('bicubic', bicubic), ('model', pred))}
  print(f"RMSE on test image {pair['id']}: bicubic {err['bicubic']:.2f} cm, "
        f"{MODEL} after {STEPS} steps {err['model']:.2f} cm")

  valid_hr = depth_hr > 0
  vmin, vmax = np.percentile(gt_cm[valid_hr], [1, 99])
  colour = lambda d, valid=None: viz.colorize_depth(d, valid=valid, vmin=vmin, vmax=vmax)
  lr_cm = to_cm(depth_lr[..., 0])
  lr_big = np.repeat(np.repeat(colour(lr_cm), FACTOR, 0), FACTOR, 1)
  # Zoom on the strongest depth edge of the ground truth.
  gy, gx = np.gradient(np.where(valid_hr, gt_cm, np.nan))
  edge_strength = np.nan_to_num(np.hypot(gy, gx))
  ey, ex = np.unravel_index(np.argmax(edge_strength), edge_strength.shape)
  (h, w), side = gt_cm.shape, 64
  box = (int(np.clip(ey - side // 2, 0, h - side)), int(np.clip(ex - side // 2, 0, w - side)), side, side)
  fig = viz.compare_figure({
      'RGB guide': guide,
      f'LR depth (1/{FACTOR}, enlarged)': lr_big,
      f"bicubic\\nRMSE {err['bicubic']:.2f} cm": colour(to_cm(bicubic), np.ones_like(valid_hr)),
      f"{MODEL}, {STEPS} steps\\nRMSE {err['model']:.2f} cm": colour(to_cm(pred), np.ones_like(valid_hr)),
      'ground truth': colour(gt_cm)}, zoom_boxes=[box], panel_size=3.2)
  display(fig)
""")

  nb.md("""
## 4. Where the last stage attends

Each output pixel of an attention stage takes a softmax over the K x K window of
the zero-upsampled grid around it: only positions holding a lower-resolution
sample can receive weight (the zero rows and columns), and the logits are
`q . (k + position encoding)`, with q and k computed from the depth features and
the pooled guide features. The maps below are the weights of the **last** stage
(the full-resolution grid) at three pixels on strong ground-truth depth edges and
at the flattest measured pixel; the left panel is the guide around the pixel with
the window drawn.

What to look for: a content-adaptive window puts its weight on the samples on
the pixel's own side of the edge, and differs between the edge pixels and the
flat one. After the few dozen steps of `QUICK` mode the windows are still close
to the learned position prior (nearly the same pattern at every pixel); whether
and how they adapt to the guide is what a longer run (`QUICK = False`, or a
checkpoint from `configs/depth.py`) shows.
""")
  nb.code("""
if HAVE_DATA:
  # Pixels on strong ground-truth depth edges (well apart), and the flattest measured pixel.
  margin = 16
  strength = edge_strength.copy()
  strength[:margin], strength[-margin:], strength[:, :margin], strength[:, -margin:] = 0, 0, 0, 0
  pixels = []
  for flat_index in np.argsort(strength, axis=None)[::-1]:
    i, j = (int(v) for v in np.unravel_index(flat_index, strength.shape))
    if all(abs(i - a) + abs(j - b) > 60 for a, b in pixels):
      pixels.append((i, j))
    if len(pixels) == 3:
      break
  flat = np.where(valid_hr, edge_strength, np.inf)
  flat[:margin], flat[-margin:], flat[:, :margin], flat[:, -margin:] = np.inf, np.inf, np.inf, np.inf
  pixels.append(tuple(int(v) for v in np.unravel_index(np.argmin(flat), flat.shape)))
  print('pixels (row, col):', pixels)

  if 'return_weights' in inspect.signature(type(model).__call__).parameters:
    # model(..., return_weights=True) -> (depth, one [B, h_s, w_s, K*K] weight map per stage)
    attend = nnx.jit(lambda model, d, g: model(d, g, return_weights=True))
    _, stage_weights = attend(model, jnp.asarray(depth_lr[None]), jnp.asarray(guide[None]))
    weights = np.asarray(stage_weights[-1][0])            # [H, W, K*K], last stage
    fig = viz.attention_maps(weights, pixels, kernel_size=model.kernel_size, image=guide)
    display(fig)
  else:
    print('This version of JointAttentionUpsampler cannot return its attention weights '
          '(no `return_weights` argument); update attnup-jax to see this figure.')
""")

  nb.md("""
After a few dozen steps the model is barely trained, so compare the numbers with
care; `configs/depth.py` holds the paper's runs, e.g.
`python -m train --config configs/depth.py:sa_m1_f8_x8_rgbdd --workdir DIR`
(Table II protocol: 256 x 256 crops, batch 10, 200k steps).
""")
  return nb


def main(argv) -> int:
  out = pathlib.Path(argv[1] if len(argv) > 1 else "colab")
  out.mkdir(parents=True, exist_ok=True)
  super_resolution().write(out / "02_super_resolution.ipynb")
  depth_guided().write(out / "03_depth_guided_upsampling.ipynb")
  return 0


if __name__ == "__main__":
  sys.exit(main(sys.argv))
