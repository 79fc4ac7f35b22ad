r"""Synthetic x2 upsampling task for tests: needs no data, runs in seconds.

  python -m train --config configs/toy.py --workdir /tmp/toy
  python -m train --config configs/toy.py:quick --workdir /tmp/toy_quick

Targets are smooth random fields (sums of sinusoids); inputs their 2x2
means. `--config.toy.nan_at_step=N` puts a NaN into the batch of step N
(tests of the non-finite-loss guard).
"""

from __future__ import annotations

import ml_collections

from configs import common


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  a = common.parse_arg(arg, {}, ("quick", "bf16", "fsdp"))
  c = common.base_config()
  c.task = "toy"
  c.total_steps = 200
  c.batch_size = 8
  c.log_every = 10
  c.eval_every = 50
  c.checkpoint_every = 50
  c.optimizer.learning_rate = 3e-3

  c.model = ml_collections.ConfigDict()
  c.model.features = 8
  c.model.dtype = "bfloat16" if a["bf16"] else "float32"

  c.toy = ml_collections.ConfigDict()
  c.toy.size = 8               # LR side; HR is 2x
  c.toy.num_examples = 64
  c.toy.num_eval = 8
  c.toy.nan_at_step = 0        # 0: never
  c.loss = "l2"
  c.best_metric = "psnr"

  if a["fsdp"]:
    c.sharding.params = "fsdp"
    c.sharding.fsdp_min_size = 0
  if a["quick"]:
    common.quick_loop(c, steps=10)
  return c
