"""Crash-safe orbax checkpoints: latest-k and best-by-metric, with the data state.

Layout under the work directory:

    checkpoints/<step>/{state, data, meta}   the last `keep` saves
    best/<step>/{state, data, meta}          the best evaluation so far
    corrupt/<step>-<time>/                   latest saves that failed to restore

`state` is the train-state pytree (`ocp.args.StandardSave`, restored against
an abstract state carrying the *current* shardings, so a checkpoint written
on 8 devices restores on 1 and vice versa); `data` is the grain iterator's
`get_state()` (JSON), so a resumed run sees the same batches; `meta` holds
loop bookkeeping (best metric so far). Orbax writes each step into a
temporary directory and renames it when complete, so a killed save never
looks finished.

Before restoring a step its metadata (every array's name, shape and dtype)
is compared with the state this config builds. A step whose files cannot be
read (bad metadata, truncated or missing arrays) is moved (never deleted) to
`corrupt/`, with a warning, and the previous step is tried. A step that reads
but holds other arrays (a different model or optimiser) is not corrupt:
`CheckpointMismatchError` names the differing arrays and nothing is moved.
"""

from __future__ import annotations

import logging
import os
import pathlib
import shutil
import time
import warnings

import jax
import numpy as np
import orbax.checkpoint as ocp
from jax.experimental import multihost_utils


class CheckpointMismatchError(ValueError):
  """A readable checkpoint whose arrays differ from the state being restored."""


def layout(tree) -> dict[str, tuple[tuple[int, ...], str]]:
  """{'params.head.kernel.value': (shape, dtype name)} of a state, abstract
  state or orbax tree metadata (orbax's own '.'-joined array names)."""
  return {k: (tuple(v.shape), np.dtype(v.dtype).name)
          for k, v in ocp.tree.to_flat_dict(tree, sep=".").items()}


def layout_differences(saved: dict, wanted: dict) -> list[str]:
  """One line per array that is missing, extra, or of another shape / dtype."""
  out = []
  for k in sorted(set(saved) | set(wanted), key=lambda k: (not k.startswith("params."), k)):
    a, b = saved.get(k), wanted.get(k)
    if a != b:
      show = lambda x: "absent" if x is None else f"{x[1]}{list(x[0])}"
      out.append(f"{k}: checkpoint {show(a)}, this config {show(b)}")
  return out


def _manager(path: pathlib.Path, keep: int | None, async_: bool,
             best: tuple[str, str] | None = None) -> ocp.CheckpointManager:
  # Each manager's barriers carry its directory name: the latest and best
  # managers both save step N (async) and would otherwise share the barrier
  # '_async_commit_complete.N' across processes, which fails.
  opts = ocp.CheckpointManagerOptions(
      max_to_keep=keep, create=True, enable_async_checkpointing=async_,
      multiprocessing_options=ocp.options.MultiprocessingOptions(
          barrier_sync_key_prefix=path.name),
      best_fn=(lambda m: m[best[0]]) if best else None,
      best_mode=best[1] if best else "max",
      keep_checkpoints_without_metrics=False if best else True)
  return ocp.CheckpointManager(path, options=opts,
                               item_names=("state", "data", "meta"))


def _save_args(state, data_state: dict, meta: dict) -> ocp.args.Composite:
  return ocp.args.Composite(state=ocp.args.StandardSave(state),
                            data=ocp.args.JsonSave(data_state),
                            meta=ocp.args.JsonSave(meta))


class Checkpointer:
  """Latest-k and best checkpoints of one work directory.

  Args:
    workdir: the run's directory.
    keep: how many latest checkpoints to keep.
    best: (metric name, 'max' | 'min') for the best checkpoint.
    async_: write in a background thread (device arrays are copied to host
      before `save` returns, so donating them afterwards is safe).
  """

  def __init__(self, workdir: str | os.PathLike, keep: int = 3,
               best: tuple[str, str] = ("psnr", "max"), async_: bool = True):
    self.workdir = pathlib.Path(workdir).absolute()
    self.best_key = best
    self.latest = _manager(self.workdir / "checkpoints", keep, async_)
    self.best = _manager(self.workdir / "best", 1, async_, best)

  def save_latest(self, step: int, state, data_state: dict, meta: dict) -> None:
    if step in self.latest.all_steps():
      return
    self.latest.save(step, args=_save_args(state, data_state, meta), force=True)

  def save_best(self, step: int, state, data_state: dict, metrics: dict) -> None:
    metrics = {k: float(v) for k, v in metrics.items()}
    if step in self.best.all_steps():  # a resumed run re-reached this step
      return
    self.best.save(step, args=_save_args(state, data_state, {"metrics": metrics}),
                   metrics=metrics, force=True)

  def restore_latest(self, abstract_state):
    """Newest restorable (step, state, data_state, meta), or None if none exist.

    A step that fails to read (corrupt or truncated files, bad metadata) is
    moved to `corrupt/` with a warning and the next older one is tried. A
    step that reads but does not fit `abstract_state` raises
    `CheckpointMismatchError`; nothing is moved.
    """
    wanted = layout(abstract_state)
    for step in sorted(self.latest.all_steps(), reverse=True):
      try:
        saved = layout(ocp.StandardCheckpointHandler().metadata(
            self.latest.directory / str(step) / "state"))
      except Exception as e:  # pylint: disable=broad-except
        self._quarantine(step, e)
        continue
      diff = layout_differences(saved, wanted)
      if diff:
        src = self.latest.directory / str(step)
        shown = "\n  ".join(diff[:12]) + (
            f"\n  ... and {len(diff) - 12} more" if len(diff) > 12 else "")
        raise CheckpointMismatchError(
            f"the checkpoint at step {step} ({src}) holds a different model or "
            f"optimiser state than this config builds ({len(diff)} arrays "
            f"differ):\n  {shown}\nNothing was moved or changed. Train this "
            f"config in a new --workdir, or resume with the config the run was "
            f"trained with ({self.workdir / 'config.json'}).")
      try:
        r = self.latest.restore(step, args=ocp.args.Composite(
            state=ocp.args.StandardRestore(abstract_state),
            data=ocp.args.JsonRestore(), meta=ocp.args.JsonRestore()))
        return step, r.state, r.data, r.meta
      except Exception as e:  # pylint: disable=broad-except
        self._quarantine(step, e)
    return None

  def best_value(self) -> float | None:
    """The metric of the best checkpoint on disk, or None."""
    step = self.best.best_step()
    if step is None:
      return None
    try:
      meta = self.best.restore(step, args=ocp.args.Composite(
          meta=ocp.args.JsonRestore())).meta
      return float(meta["metrics"][self.best_key[0]])
    except Exception:  # pylint: disable=broad-except
      return None

  def restore_best(self, abstract_state):
    """(step, state, metrics) of the best checkpoint, or None."""
    step = self.best.best_step()
    if step is None:
      return None
    r = self.best.restore(step, args=ocp.args.Composite(
        state=ocp.args.StandardRestore(abstract_state), meta=ocp.args.JsonRestore()))
    return step, r.state, r.meta["metrics"]

  def _quarantine(self, step: int, error: Exception) -> None:
    src = self.workdir / "checkpoints" / str(step)
    dst = self.workdir / "corrupt" / f"{step}-{int(time.time())}"
    msg = (f"checkpoint at step {step} ({src}) failed to restore "
           f"({type(error).__name__}: {' '.join(str(error).split())[:300]}); "
           f"moved to {dst}, "
           f"falling back to the previous checkpoint.")
    warnings.warn(msg, RuntimeWarning, stacklevel=3)
    logging.warning(msg)
    if jax.process_index() == 0 and src.exists():  # one writer on shared storage
      dst.parent.mkdir(parents=True, exist_ok=True)
      shutil.move(str(src), str(dst))
    if jax.process_count() > 1:
      multihost_utils.sync_global_devices(f"quarantine checkpoint {step}")
    self.latest.reload()

  def wait(self) -> None:
    self.latest.wait_until_finished()
    self.best.wait_until_finished()

  def close(self) -> None:
    self.latest.close()
    self.best.close()
