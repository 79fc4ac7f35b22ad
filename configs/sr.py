r"""Single-image super-resolution (paper Sec. IV-B, Tables IV-V).

One table row per argument `x{2,4,8}_{attention,deconv}_{t91,bsds200}`:

  python -m train --config configs/sr.py:x2_attention_t91 --workdir /tmp/sr_x2_att_t91
  python -m train --config configs/sr.py:x4_deconv_bsds200 --workdir /tmp/sr_x4_dec_bsds

Seconds-long CPU smoke run (2 training images, small crops, 6 steps):

  python -m train --config configs/sr.py:x2_attention_t91,quick --workdir /tmp/sr_quick

Extra tokens: `bf16` (bfloat16 compute, float32 parameters), `fsdp` (shard
parameters along 'data'), `l1` (L1 loss instead of L2), `skip` (global bicubic
skip, zero-initialised tail: training starts at bicubic; not in the paper,
state it when reporting), `short` (lr 2e-4 after a 20-step warmup, for runs of
a few hundred steps: `configs/common.short_budget`). Any field can be overridden:
`--config.total_steps=50000 --config.optimizer.schedule=cosine`.

Paper settings: Adam, lr 1e-3, batch 20, lr x0.8 on every plateau of the
evaluation loss (Set5 here), best-PSNR checkpoint kept. The paper does not
give the patch size or training length; we use HR patches of 64 pixels (LR
64/scale), LR stride = LR patch, 100k steps, evaluation every 1000 steps and
a patience of 5 evaluations. Training on T91 alone (General-100 is not
available offline) is a departure from Table IV; Table V (BSDS200) is exact.
"""

from __future__ import annotations

import ml_collections

from configs import common

CHOICES = {"scale": ("x2", "x4", "x8"), "upsampler": ("attention", "deconv"),
           "train_set": ("t91", "bsds200")}
FLAGS = ("quick", "bf16", "fsdp", "l1", "skip", "short")


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  a = common.parse_arg(arg, CHOICES, FLAGS)
  scale = int(a["scale"][1:])
  c = common.base_config()
  c.task = "sr"
  c.total_steps = 100_000
  c.batch_size = 20
  c.optimizer.schedule = "plateau"
  c.log_every = 100

  c.model = ml_collections.ConfigDict()
  c.model.scale = scale
  c.model.upsampler = a["upsampler"]
  c.model.features = 128
  c.model.kernel_size = 5
  c.model.global_skip = a["skip"]
  c.model.dtype = "bfloat16" if a["bf16"] else "float32"

  c.data = ml_collections.ConfigDict()
  c.data.train_set = {"t91": "T91", "bsds200": "BSDS200"}[a["train_set"]]
  c.data.patch_size = 64 // scale      # LR patch side; HR = 64
  c.data.stride = 64 // scale
  c.data.augment = True
  c.data.max_images = ml_collections.config_dict.placeholder(int)  # None: all
  c.data.eval_set = "Set5"
  c.data.eval_max_images = ml_collections.config_dict.placeholder(int)
  c.data.eval_crop = 0                 # 0: full images; else HR top-left crop side
  c.data.data_dir = ml_collections.config_dict.placeholder(str)  # None: $ATTNUP_DATA_DIR or ../shared/data
  c.data.read_threads = 2              # grain reader threads (one gather per batch)
  c.loss = "l1" if a["l1"] else "l2"
  c.best_metric = "psnr"

  if a["short"]:
    common.short_budget(c)
  if a["fsdp"]:
    c.sharding.params = "fsdp"
  if a["quick"]:
    common.quick_loop(c, steps=6)
    c.batch_size = 8
    c.model.features = 16
    c.data.patch_size = 8
    c.data.stride = 16
    c.data.augment = False
    c.data.max_images = 2
    c.data.eval_max_images = 2
    c.data.eval_crop = 16 * scale
    c.data.read_threads = 2
  return c
