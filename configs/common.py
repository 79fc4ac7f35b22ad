"""Defaults every config shares, and the `arg` string parser.

An `arg` is a comma-separated list of tokens, e.g. `x4_deconv_bsds200,quick`
(big_vision's `parse_arg` does the same with key=value pairs). Tokens are
matched against the choices a config declares; anything unknown raises.
"""

from __future__ import annotations

import ml_collections


def parse_arg(arg: str | None, choices: dict[str, tuple[str, ...]],
              flags: tuple[str, ...] = ()) -> dict:
  """Split `arg` on ',' and '_' into tokens; return {field: token} and flags.

  Args:
    arg: e.g. 'x2_attention_t91,quick'.
    choices: field name -> allowed tokens; the first is the default.
    flags: tokens that switch a boolean on (e.g. 'quick', 'bf16', 'fsdp').

  Returns:
    A dict with one entry per field of `choices` and per flag.
  """
  out = {k: v[0] for k, v in choices.items()}
  out.update({f: False for f in flags})
  tokens = [t for part in (arg or "").split(",") for t in part.split("_") if t]
  for t in tokens:
    t = t.lower()
    if t in flags:
      out[t] = True
      continue
    field = next((k for k, v in choices.items() if t in v), None)
    if field is None:
      allowed = sorted({x for v in choices.values() for x in v} | set(flags))
      raise ValueError(f"unknown config token {t!r} in {arg!r}; allowed: {allowed}.")
    out[field] = t
  return out


def base_config() -> ml_collections.ConfigDict:
  """Loop, optimiser, sharding and checkpoint defaults (tasks add `model`, `data`)."""
  c = ml_collections.ConfigDict()
  c.task = ""
  c.seed = 0
  c.total_steps = 1000
  c.batch_size = 20          # global batch (all processes together)

  c.optimizer = ml_collections.ConfigDict()
  c.optimizer.learning_rate = 1e-3
  c.optimizer.b1 = 0.9
  c.optimizer.b2 = 0.999
  c.optimizer.eps = 1e-8
  c.optimizer.schedule = "constant"   # constant | step | cosine | plateau
  c.optimizer.warmup_steps = 0
  c.optimizer.step_boundaries = (0.6, 0.8)  # fractions of total_steps
  c.optimizer.step_factor = 0.1
  c.optimizer.cosine_final_fraction = 0.0
  c.optimizer.plateau_factor = 0.8    # lr x factor on every plateau of eval loss
  c.optimizer.plateau_patience = 5    # evaluations without improvement
  c.optimizer.plateau_rtol = 1e-4
  c.optimizer.plateau_cooldown = 0
  c.optimizer.grad_clip_norm = 0.0    # 0 disables clipping

  c.sharding = ml_collections.ConfigDict()
  c.sharding.params = "replicated"    # replicated | fsdp
  c.sharding.fsdp_min_size = 2**14    # smaller arrays stay replicated

  c.log_every = 50
  c.eval_every = 1000
  c.checkpoint_every = 1000
  c.keep_checkpoints = 3
  c.async_checkpoint = True
  c.prefetch = 2                      # batches placed on devices ahead of time
  c.debug_step_sleep = 0.0            # seconds per step; crash tests only
  return c


def short_budget(c: ml_collections.ConfigDict) -> None:
  """The `short` token: a few hundred steps on a CPU. Adam at the paper's
  1e-3 first moves every weight by ~1e-3, which throws a network that starts
  at bicubic (zero-initialised last conv) far off it, and a short run spends
  its budget coming back; 2e-4 after a 20-step linear warmup descends from
  bicubic instead."""
  c.optimizer.learning_rate = 2e-4
  c.optimizer.warmup_steps = 20


def quick_loop(c: ml_collections.ConfigDict, steps: int = 6) -> None:
  """Shrink the loop settings of `c` in place to a seconds-long CPU run."""
  c.total_steps = steps
  c.log_every = 1
  c.eval_every = steps // 2
  c.checkpoint_every = steps // 2
  c.keep_checkpoints = 2
