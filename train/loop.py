"""The training loop shared by every task: sharded steps, evaluation, checkpoints.

`train_and_evaluate(config, workdir)` resumes from the newest good checkpoint
in `workdir` (if any), trains to `config.total_steps`, evaluates every
`eval_every` steps (plateau schedule, best checkpoint), saves every
`checkpoint_every` steps and at the end. A non-finite loss raises
`NonFiniteLossError` naming the step and value; the non-finite state is never
saved, so the last good checkpoint stays the newest. Ctrl-C saves the current
step and raises `interrupt.Interrupted` (a second Ctrl-C exits at once).
Nothing is written to `workdir` before the resume point is known (a
checkpoint that does not fit this config raises
`checkpoint.CheckpointMismatchError` first).
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable

import jax
import ml_collections
import numpy as np
import tqdm

from train import checkpoint, interrupt, logs, optim, prefetch, sharding
from train import state as state_lib
from train.tasks import get_task


class NonFiniteLossError(RuntimeError):
  """Training produced a NaN / inf loss (or parameters)."""


def _is_better(value: float, best: float | None, mode: str) -> bool:
  if best is None or not math.isfinite(best):
    return math.isfinite(value)
  return value > best if mode == "max" else value < best


def _host_array(x: jax.Array) -> np.ndarray:
  """A replicated (possibly multi-process) array as numpy."""
  return np.asarray(x if x.is_fully_addressable else x.addressable_data(0))


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str | os.PathLike,
                       mesh: jax.sharding.Mesh | None = None,
                       on_start: Callable[[int], None] | None = None) -> dict:
  """Train `config` in `workdir`; returns {'state', 'graphdef', 'losses', 'eval'}.

  `losses` maps each step run by this call to its training loss; `eval` is
  the last evaluation's metrics. `on_start(step)` runs once the resume step
  is known, before anything is written (the entry point records the config).
  """
  # ------------------------------------------------------------ Setup ----
  mesh = sharding.make_mesh() if mesh is None else mesh
  task = get_task(config)
  best_name, best_mode = task.best_metric
  total = int(config.total_steps)
  ckpt = checkpoint.Checkpointer(workdir, int(config.keep_checkpoints),
                                 (best_name, best_mode), bool(config.async_checkpoint))

  # ---------------------------------------------- Model and optimiser ----
  graphdef, state, shardings = state_lib.create_state(task, config, mesh)
  train_step = state_lib.jit_train_step(
      state_lib.make_train_step(graphdef, task, config), shardings, mesh)
  predict = state_lib.make_predict(graphdef)
  plateau = optim.make_plateau(config)
  plateau_step = jax.jit(lambda s, v: optim.plateau_update(plateau, s, v),
                         out_shardings=shardings["plateau"])
  use_plateau = config.optimizer.schedule == "plateau"

  # ------------------------------------------------------------- Data ----
  local_bs = sharding.local_batch_size(int(config.batch_size), mesh)
  dataset = task.train_dataset(local_bs, int(config.seed), jax.process_index(),
                               jax.process_count())
  data_iter = iter(dataset)

  # ----------------------------------------------------------- Resume ----
  best = ckpt.best_value()
  try:
    restored = ckpt.restore_latest(state_lib.abstract_state(shardings, state))
  except BaseException:
    ckpt.close()
    raise
  if restored is not None:
    step, state, data_state, meta = restored
    data_iter.set_state(data_state)
    if meta.get("best") is not None and _is_better(meta["best"], best, best_mode):
      best = meta["best"]
    if jax.process_index() == 0:
      print(f"resumed from step {step} in {workdir}", flush=True)
  else:
    step, data_state = 0, data_iter.get_state()
  if int(_host_array(state["step"])) != step:
    raise RuntimeError(f"checkpoint step {step} holds state step {state['step']}.")
  if on_start is not None:
    on_start(step)
  writer = logs.MetricWriter(workdir)
  batches = prefetch.DevicePrefetcher(data_iter, mesh, int(config.prefetch))

  # ------------------------------------------------------------- Loop ----
  losses: dict[int, float] = {}
  pending: tuple[int, dict] | None = None   # checked one step late (async)
  last_eval: dict = {}

  def check_pending() -> None:
    nonlocal pending
    if pending is None:
      return
    s, metrics = pending
    pending = None
    loss = float(_host_array(metrics["loss"]))
    losses[s] = loss
    if not math.isfinite(loss):
      last = ckpt.latest.latest_step()
      raise NonFiniteLossError(
          f"non-finite training loss {loss} at step {s}; stopping. The last good "
          f"checkpoint (step {last}) in {ckpt.workdir / 'checkpoints'} is kept; "
          f"resume from it with a lower learning rate "
          f"(--config.optimizer.learning_rate=... "
          f"--allow_config_change=optimizer.learning_rate).")

  def save_latest() -> None:
    check_pending()
    if not bool(_host_array(state_lib.all_finite(state["params"]))):
      raise NonFiniteLossError(
          f"non-finite parameters at step {step} (loss finite); not saved. "
          f"Last good checkpoint: step {ckpt.latest.latest_step()}.")
    ckpt.save_latest(step, state, data_state, {"best": best, "step": step})

  first_step = step
  bar = tqdm.tqdm(total=total, initial=step, desc="train", unit="step",
                  dynamic_ncols=True, disable=jax.process_index() != 0)
  t_log, s_log = time.perf_counter(), step
  stop = interrupt.StopRequest().install()
  try:
    while step < total:
      batch, next_data_state = next(batches)
      state, metrics = train_step(state, batch)
      check_pending()
      step += 1
      pending, data_state = (step, metrics), next_data_state
      bar.update(1)
      if config.debug_step_sleep:
        time.sleep(float(config.debug_step_sleep))
      last = step == total

      if step % int(config.log_every) == 0 or last:
        values = {k: float(_host_array(v)) for k, v in metrics.items()}
        check_pending()
        now = time.perf_counter()
        values["steps_per_s"] = (step - s_log) / max(now - t_log, 1e-9)
        t_log, s_log = now, step
        writer.write(step, "train", values)
        bar.set_postfix(loss=f"{values['loss']:.4g}",
                        steps_s=f"{values['steps_per_s']:.2f}")

      if step % int(config.eval_every) == 0 or last:
        check_pending()
        params, rest = state["params"], state["rest"]
        last_eval = task.evaluate(
            lambda *x: _host_array(predict(params, rest, *x)))
        if use_plateau:
          state["plateau"] = plateau_step(state["plateau"], last_eval["loss"])
        last_eval["lr_scale"] = float(_host_array(state["plateau"].scale))
        writer.write(step, "eval", last_eval)
        if _is_better(last_eval[best_name], best, best_mode):
          best = last_eval[best_name]
          ckpt.save_best(step, state, data_state, last_eval)
        if jax.process_index() == 0:
          bar.write(f"step {step}: " + ", ".join(
              f"{k}={v:.4g}" for k, v in last_eval.items()))

      if step % int(config.checkpoint_every) == 0 or last:
        save_latest()
      if not last and stop.agreed(step, int(config.log_every)):
        save_latest()
        ckpt.wait()
        raise interrupt.Interrupted(step, ckpt.latest.directory / str(step))
    check_pending()
  finally:
    stop.uninstall()
    bar.close()
    batches.close()
    ckpt.wait()
    ckpt.close()
    writer.close()
  logging.info("trained steps %d..%d", first_step, step)
  return {"state": state, "graphdef": graphdef, "losses": losses, "eval": last_eval}
