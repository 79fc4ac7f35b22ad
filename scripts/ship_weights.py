"""Copy a training run's best checkpoint into the package as bundled weights.

    python scripts/ship_weights.py runs/sr_x2_attention attnup_jax/weights/sr_x2_attention

Writes params.npz (float32), config.json (model constructor arguments, the
training config, the checkpoint's step and evaluation) and train_log.jsonl
(the run's metrics.jsonl).
"""

from __future__ import annotations

import pathlib
import shutil
import sys

from attnup_jax import pretrained
from train.export import load_workdir_model, workdir_config


def main(argv=None) -> int:
  argv = sys.argv[1:] if argv is None else argv
  if len(argv) != 2:
    print(__doc__)
    return 2
  workdir, out = map(pathlib.Path, argv)
  config = workdir_config(workdir)
  model = load_workdir_model(workdir, "best")
  m = config.model
  if config.task == "sr":
    kind, kwargs = "sr", {"scale": int(m.scale), "upsampler": m.upsampler,
                          "features": int(m.features),
                          "kernel_size": int(m.kernel_size),
                          "global_skip": bool(m.global_skip)}
  else:
    kind, kwargs = "depth", {"name": m.name, "factor": int(m.factor),
                             **dict(m.get("kwargs") or {})}
  pretrained.save(model, out, {
      "model": {"kind": kind, "kwargs": kwargs},
      "checkpoint_step": model.train_step,
      "eval_at_checkpoint": dict(model.train_metrics),
      "train_config": config.to_dict(),
      "command": f"python -m train --config configs/{config.task}.py:... "
                 f"(see train_config) --workdir {workdir}"})
  shutil.copy(workdir / "metrics.jsonl", out / "train_log.jsonl")
  print(f"{workdir} (step {model.train_step}, {model.train_metrics}) -> {out}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
