"""Optimiser: Adam with a learning-rate schedule, optional clipping, plateau scaling.

Schedules (`config.optimizer.schedule`):
  constant  lr throughout (after an optional linear warmup);
  step      lr x step_factor at each fraction in step_boundaries of total_steps
            (the depth paper: /10 at 60% and 80%);
  cosine    cosine decay to cosine_final_fraction * lr;
  plateau   constant lr, scaled by `optax.contrib.reduce_on_plateau` fed with
            the evaluation loss (the SR paper: x0.8 on every plateau).

The plateau state is kept apart from Adam's (`state['plateau']`): the train
step multiplies the updates by its `scale`; only evaluation advances it, so a
plateau means "no better evaluation loss for `patience` evaluations".
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import ml_collections
import optax
from optax import contrib

SCHEDULES = ("constant", "step", "cosine", "plateau")


def learning_rate_schedule(config: ml_collections.ConfigDict) -> optax.Schedule:
  o, total = config.optimizer, int(config.total_steps)
  lr, warm = float(o.learning_rate), int(o.warmup_steps)
  if o.schedule not in SCHEDULES:
    raise ValueError(f"optimizer.schedule must be one of {SCHEDULES}, got {o.schedule!r}.")
  if o.schedule in ("constant", "plateau"):
    main = optax.constant_schedule(lr)
  elif o.schedule == "step":
    bounds = {int(f * total) - warm: float(o.step_factor) for f in o.step_boundaries}
    main = optax.piecewise_constant_schedule(lr, bounds)
  else:
    main = optax.cosine_decay_schedule(lr, max(total - warm, 1),
                                       alpha=float(o.cosine_final_fraction))
  if warm <= 0:
    return main
  return optax.join_schedules(
      [optax.linear_schedule(0.0, lr, warm), main], [warm])


def make_optimizer(config: ml_collections.ConfigDict) -> optax.GradientTransformation:
  """Clip (if grad_clip_norm > 0), then Adam with the schedule."""
  o = config.optimizer
  parts = []
  if float(o.grad_clip_norm) > 0:
    parts.append(optax.clip_by_global_norm(float(o.grad_clip_norm)))
  parts.append(optax.adam(learning_rate_schedule(config), b1=float(o.b1),
                          b2=float(o.b2), eps=float(o.eps)))
  return optax.chain(*parts)


def make_plateau(config: ml_collections.ConfigDict):
  o = config.optimizer
  return contrib.reduce_on_plateau(
      factor=float(o.plateau_factor), patience=int(o.plateau_patience),
      rtol=float(o.plateau_rtol), cooldown=int(o.plateau_cooldown))


def plateau_update(plateau, plateau_state, eval_loss: jax.Array):
  """Advance the plateau state by one evaluation loss (no updates to scale)."""
  with jax.numpy_dtype_promotion("standard"):  # optax mixes int32 and float32
    _, new_state = plateau.update({}, plateau_state,
                                  value=jnp.asarray(eval_loss, jnp.float32))
  return new_state
