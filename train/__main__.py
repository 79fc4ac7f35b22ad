r"""Command line: `python -m train --config configs/sr.py:x2_attention_t91 --workdir DIR`.

Overrides: `--config.total_steps=500 --config.optimizer.schedule=cosine`.
Several processes (TPU pod slice, several GPU hosts): pass `--multihost` (or
set JAX_COORDINATOR_ADDRESS / run under SLURM or on a TPU VM), and
`jax.distributed.initialize()` runs before any device is touched; explicit
`--coordinator_address --num_processes --process_id` are forwarded to it.
An existing `--workdir` is resumed only if its recorded config matches
(`train/resume_guard.py`: loop length and cadences may change; anything else
needs `--allow_config_change=key,...`). Exit status: 0 done, 2 config or
checkpoint mismatch (nothing changed), 3 non-finite loss, 4 another process
of a multi-process run stopped (`train/liveness.py`), 130 Ctrl-C (checkpoint
saved). See docs/TRAINING.md.
"""

from __future__ import annotations

import json
import os
import sys

from absl import app, flags, logging
from ml_collections import config_flags

from attnup_jax.runs import SPEC_FILE

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
_PEER_TIMEOUT = flags.DEFINE_float(
    "peer_timeout", 60.0, "Several processes: seconds without a sign of life "
    "from another process before this one stops too (train/liveness.py).")
_ALLOW = flags.DEFINE_string(
    "allow_config_change", None, "Comma-separated config keys (or 'all') that "
    "may differ from the work directory's config.json on resume, on purpose.")
flags.mark_flags_as_required(["config", "workdir"])


def _recorded(config) -> dict:
  """The files that describe this run in its work directory: {name: dict}.

  `spec.json` is the model spec the run trains (what
  `attnup_jax.runs.load_run` builds); it is compared on resume like
  config.json. A model outside `attnup_jax.models.FAMILIES` has none.
  """
  from train.tasks import get_task  # pylint: disable=g-import-not-at-top
  files = {"config.json": json.loads(config.to_json_best_effort())}
  if (spec := get_task(config).model_spec()) is not None:
    files[SPEC_FILE] = spec.to_dict()
  return files


def _current_spec(recorded: dict) -> dict:
  """A recorded spec.json as the current code reads it (new options at their
  defaults), so adding a constructor option does not stop every resume."""
  from attnup_jax.models.spec import ModelSpec  # pylint: disable=g-import-not-at-top
  return ModelSpec.from_dict(recorded).to_dict()


def _fail(status: int, message: str, prefix: str = "ERROR: ") -> int:
  print(prefix + message, file=sys.stderr, flush=True)
  return status


def main(argv) -> int:
  del argv
  if not flags.FLAGS["verbosity"].present:  # orbax logs every save at INFO
    logging.set_verbosity(logging.WARNING)
  from train import resume_guard  # pylint: disable=g-import-not-at-top
  recorded = _recorded(_CONFIG.value)
  try:  # reads only: nothing in the work directory is touched before this
    changes = resume_guard.check(_WORKDIR.value, recorded,
                                 resume_guard.parse_allowed(_ALLOW.value),
                                 normalise={SPEC_FILE: _current_spec})
  except resume_guard.ConfigMismatchError as e:
    return _fail(2, str(e))
  _init_jax()
  from train import liveness  # pylint: disable=g-import-not-at-top
  watchdog = liveness.PeerWatchdog(_WORKDIR.value, _PEER_TIMEOUT.value).start()
  try:
    status = _train(recorded, changes)
  except Exception as e:  # pylint: disable=broad-except
    import jax  # pylint: disable=g-import-not-at-top
    if jax.process_count() == 1:
      raise
    # Most often another process died and a collective failed; JAX's exit
    # handler would then wait for it at the shutdown barrier.
    logging.exception("training failed")
    liveness.abort(_WORKDIR.value, f"training failed ({type(e).__name__}: "
                   f"{str(e)[:300]}); another process has probably stopped")
  watchdog.stop()
  return status


def _init_jax() -> None:
  """`jax.distributed.initialize()` when several processes train together."""
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


def _train(recorded: dict, changes: list) -> int:
  """Train (the guard has passed); returns the exit status."""
  import jax  # pylint: disable=g-import-not-at-top
  from train import checkpoint, interrupt, loop, resume_guard  # pylint: disable=g-import-not-at-top

  def record(step: int) -> None:  # once the checkpoint fits, before training
    if jax.process_index() != 0:
      return
    kept = resume_guard.record(_WORKDIR.value, recorded)
    if changes:
      print(f"resuming at step {step} with a changed config (earlier one kept "
            f"as {kept}):\n" + "\n".join(
                f"  {k}: {resume_guard.show(a)} -> {resume_guard.show(b)}"
                for k, a, b in changes),
            flush=True)

  try:
    result = loop.train_and_evaluate(_CONFIG.value, _WORKDIR.value, on_start=record)
  except checkpoint.CheckpointMismatchError as e:
    return _fail(2, str(e))
  except loop.NonFiniteLossError as e:
    return _fail(3, str(e))
  except interrupt.Interrupted as e:
    return _fail(interrupt.EXIT_STATUS, str(e), prefix="")
  except KeyboardInterrupt:
    return _fail(interrupt.EXIT_STATUS, "interrupted before training started; "
                 "nothing was saved.", prefix="")
  if jax.process_index() == 0:
    print("final eval: " + ", ".join(f"{k}={v:.4f}" for k, v in result["eval"].items()))
  return 0


if __name__ == "__main__":
  app.run(main)
