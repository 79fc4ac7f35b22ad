"""Copy a training run's best checkpoint into the package as bundled weights.

    python scripts/ship_weights.py runs/sr_x2_attention attnup_jax/weights/sr_x2_attention

Writes params.npz (float32), config.json (the run's model spec, the training
config, the checkpoint's step and evaluation) and train_log.jsonl (the run's
metrics.jsonl).
"""

from __future__ import annotations

import json
import pathlib
import shutil
import sys

from attnup_jax import pretrained, runs


def main(argv=None) -> int:
  argv = sys.argv[1:] if argv is None else argv
  if len(argv) != 2:
    print(__doc__)
    return 2
  workdir, out = map(pathlib.Path, argv)
  config = json.loads((workdir / "config.json").read_text())
  model = runs.load_run(workdir)
  pretrained.save(model, out, {
      "checkpoint_step": model.train_step,
      "eval_at_checkpoint": dict(model.train_metrics),
      "train_config": config,
      "command": f"python -m train --config configs/{config['task']}.py:... "
                 f"(see train_config) --workdir {workdir}"})
  shutil.copy(workdir / "metrics.jsonl", out / "train_log.jsonl")
  print(f"{workdir} (step {model.train_step}, {model.train_metrics}) -> {out}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
