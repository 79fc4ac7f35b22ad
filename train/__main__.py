r"""Command line: `python -m train --config configs/sr.py:x2_attention_t91 --workdir DIR`.

Overrides: `--config.total_steps=500 --config.optimizer.schedule=cosine`.
Several processes (TPU pod slice, several GPU hosts): pass `--multihost` (or
set JAX_COORDINATOR_ADDRESS / run under SLURM or on a TPU VM), and
`jax.distributed.initialize()` runs before any device is touched; explicit
`--coordinator_address --num_processes --process_id` are forwarded to it.
See docs/TRAINING.md.
"""

from __future__ import annotations

import os
import sys

from absl import app, flags, logging
from ml_collections import config_flags

_CONFIG = config_flags.DEFINE_config_file(
    "config", None, "Config file, optionally with ':arg' (e.g. configs/sr.py:x2_attention_t91).",
    lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory (checkpoints, logs); resumed if it exists.")
_MULTIHOST = flags.DEFINE_bool(
    "multihost", None, "Call jax.distributed.initialize(); default: when "
    "JAX_COORDINATOR_ADDRESS is set.")
_COORD = flags.DEFINE_string("coordinator_address", None, "host:port of process 0.")
_NPROC = flags.DEFINE_integer("num_processes", None, "Number of processes.")
_PID = flags.DEFINE_integer("process_id", None, "This process's index.")
flags.mark_flags_as_required(["config", "workdir"])


def main(argv) -> int:
  del argv
  if not flags.FLAGS["verbosity"].present:  # orbax logs every save at INFO
    logging.set_verbosity(logging.WARNING)
  multihost = _MULTIHOST.value
  if multihost is None:
    multihost = bool(os.environ.get("JAX_COORDINATOR_ADDRESS") or _COORD.value)
  import jax  # pylint: disable=g-import-not-at-top
  if multihost:
    kwargs = {k: v for k, v in (("coordinator_address", _COORD.value),
                                ("num_processes", _NPROC.value),
                                ("process_id", _PID.value)) if v is not None}
    jax.distributed.initialize(**kwargs)
  if jax.process_index() != 0:
    logging.set_verbosity(logging.WARNING)
  logging.info("JAX %s: %d processes, %d devices (%s)", jax.__version__,
               jax.process_count(), jax.device_count(), jax.devices()[0].platform)
  from train import loop  # pylint: disable=g-import-not-at-top
  config = _CONFIG.value
  os.makedirs(_WORKDIR.value, exist_ok=True)
  if jax.process_index() == 0:
    with open(os.path.join(_WORKDIR.value, "config.json"), "w", encoding="utf-8") as f:
      f.write(config.to_json_best_effort(indent=2))
    from attnup_jax.runs import write_spec  # pylint: disable=g-import-not-at-top
    from train.tasks import get_task  # pylint: disable=g-import-not-at-top
    if (spec := get_task(config).model_spec()) is not None:
      write_spec(_WORKDIR.value, spec)   # what `attnup_jax.runs.load_run` builds
  try:
    result = loop.train_and_evaluate(config, _WORKDIR.value)
  except loop.NonFiniteLossError as e:
    logging.error("%s", e)
    print(f"ERROR: {e}", file=sys.stderr)
    return 3
  if jax.process_index() == 0:
    print("final eval: " + ", ".join(f"{k}={v:.4f}" for k, v in result["eval"].items()))
  return 0


if __name__ == "__main__":
  app.run(main)
