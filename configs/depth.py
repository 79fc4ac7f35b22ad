r"""Depth-guided joint upsampling (paper Sec. IV-A, Tables I-II).

One run per model (Table I name) and factor, on RGB-D-D (the offline stand-in
for NYU v2, same protocol) or NYU v2:

  python -m train --config configs/depth.py:sa_m2_f32_x8_rgbdd --workdir /tmp/depth_sa_x8
  python -m train --config configs/depth.py:djf_x4_nyu --workdir /tmp/depth_djf_x4

Seconds-long CPU smoke run (2 images, 32-pixel crops, 4 steps):

  python -m train --config configs/depth.py:sa_m1_f8_x4_rgbdd,quick --workdir /tmp/depth_quick

Paper settings: Adam, lr 1e-3, batch 10, 256x256 crops, lr /10 at 60% and
80% of training, 2000 epochs of the 1000 NYU training pairs (= 200k steps at
batch 10; `total_steps` here). Best checkpoint by RMSE on the 'val' split
(the end of the training images, held back: the last 24 of RGB-D-D's 324,
the last 75 of NYU's 1000; the paper selected on test, which we do not). Tokens `bf16`,
`fsdp`, `l1` as in configs/sr.py; `residual` adds the bicubic upsampling of
the input to the output (not in the paper) and `short` sets the learning rate
for runs of a few hundred steps (`configs/common.short_budget`); `cpu` is
the CPU recipe of the shipped weights (`cpu_budget`), e.g.

  python -m train --config configs/depth.py:bilateral_attention_x8_rgbdd,cpu --workdir runs/depth_x8_bilateral_attention
  python -m train --config configs/depth.py:djf_x8_rgbdd,residual,cpu --workdir runs/depth_x8_djf

`bilateral_attention` is not in the paper (`models.depth_bilateral`);
`stable` centres the depth the SA models see and drops the ReLU on their
branch outputs (`depth_norm='centre'`, `linear_branches=True`).
"""

from __future__ import annotations

import ml_collections

from configs import common

MODELS = ("sa_m2_f32", "sa_m1_f8", "sa_m1_f16", "sa_m1_f32", "djf", "djf_plus",
          "djf_scaled_plus", "bilateral_attention")


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  arg = arg or ""
  model = next((m for m in sorted(MODELS, key=len, reverse=True)
                if arg.lower().startswith(m)), MODELS[0])
  rest = arg[len(model):] if arg.lower().startswith(model) else arg
  a = common.parse_arg(rest, {"factor": ("x8", "x4", "x16"),
                              "dataset": ("rgbdd", "nyu")},
                       ("quick", "bf16", "fsdp", "l1", "residual", "short", "cpu",
                        "stable"))
  c = common.base_config()
  c.task = "depth"
  c.total_steps = 200_000
  c.batch_size = 10
  c.optimizer.schedule = "step"
  c.optimizer.step_boundaries = (0.6, 0.8)
  c.optimizer.step_factor = 0.1
  c.eval_every = 2000
  c.checkpoint_every = 2000
  c.log_every = 100

  c.model = ml_collections.ConfigDict()
  c.model.name = model
  c.model.factor = int(a["factor"][1:])
  c.model.dtype = "bfloat16" if a["bf16"] else "float32"
  c.model.kwargs = ml_collections.ConfigDict()
  if a["residual"]:   # add the bicubic upsampling to the output (not in the paper)
    c.model.kwargs.residual = True
  if a["stable"]:     # keeps the SA value path alive (docs/RESULTS.md, issue 13)
    if not model.startswith("sa_"):
      raise ValueError(f"the 'stable' token is for the SA models, not {model!r}.")
    c.model.kwargs.depth_norm = "centre"
    c.model.kwargs.linear_branches = True
  if model == "bilateral_attention":   # the JBU it starts from, in the config
    from attnup_jax.baselines import JBU_PARAMS  # pylint: disable=g-import-not-at-top
    c.model.kwargs.update(JBU_PARAMS[c.model.factor])

  c.data = ml_collections.ConfigDict()
  c.data.train_set = {"rgbdd": "rgbdd", "nyu": "nyu_v2"}[a["dataset"]]
  c.data.eval_set = c.data.train_set
  c.data.eval_split = "val"    # held back from train; test sets never select
  c.data.crop = 256
  c.data.degradation = "grid"
  c.data.augment = False       # flips, rotations, colour, depth scale (`cpu`)
  c.data.max_images = ml_collections.config_dict.placeholder(int)  # None: all
  c.data.eval_max_images = ml_collections.config_dict.placeholder(int)
  c.data.eval_border = 6
  c.data.num_threads = 2
  c.data.data_dir = ml_collections.config_dict.placeholder(str)
  c.loss = "l1" if a["l1"] else "l2"
  c.best_metric = "rmse"

  if a["short"]:
    common.short_budget(c)
  if a["cpu"]:
    cpu_budget(c, model)
  if a["fsdp"]:
    c.sharding.params = "fsdp"
  if a["quick"]:
    common.quick_loop(c, steps=4)
    c.batch_size = 8
    c.data.crop = 2 * c.model.factor * 2
    c.data.max_images = 2
    c.data.eval_max_images = 1
  return c


def cpu_budget(c: ml_collections.ConfigDict, model: str) -> None:
  """The `cpu` token: the recipe of the shipped depth weights on a 2-core CPU
  (docs/RESULTS.md measures where a step's time goes). Crops of 16 x 16 LR
  samples (128 HR pixels at x4 and x8, 256 at x16), batch 16, augmented
  (`data.depth.transforms.random_augment`: the val split is later captures
  of other scenes, and without augmentation the models learn the training
  scenes), L1 loss, Adam after a 100-step warmup with cosine decay to 5%
  over 3000 steps, evaluation and checkpoint every 250 steps on the 'val'
  split. Every model gets the same data and steps, except the step size:
  2e-3 for the bilateral-attention model (it starts at JBU and its CNN runs
  on the LR grid), 1e-4 for the Table I networks (ReLU value paths: at
  5e-4 their CNN_T, attention stages and CNN_F die within 200 steps,
  docs/RESULTS.md)."""
  m = c.model.factor
  c.total_steps = 3000
  c.data.crop = 256 if m >= 16 else 128
  c.data.augment = True
  c.batch_size = 16
  c.loss = "l1"
  c.optimizer.learning_rate = 2e-3 if model == "bilateral_attention" else 1e-4
  c.optimizer.warmup_steps = 100
  c.optimizer.schedule = "cosine"
  c.optimizer.cosine_final_fraction = 0.05
  c.eval_every = 250
  c.checkpoint_every = 250
  c.log_every = 50
