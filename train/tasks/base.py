"""The Task interface: what differs between experiments, and nothing else.

The training loop (`train/loop.py`) is shared; a task supplies

  build_model(rngs)            -> nnx.Module (from `self.config.model`)
  loss(model, batch)           -> (scalar loss, {name: scalar}) inside jit
  train_dataset(batch_size, seed, shard_index, shard_count)
                               -> a grain dataset; `iter()` of it must give an
                                  iterator with get_state() / set_state()
  evaluate(predict)            -> {name: float}, must hold 'loss' (drives the
                                  plateau schedule) and `config.best_metric`

`predict(*inputs)` runs the current model under jit on host (numpy) inputs
and returns a `jax.Array`. Batches are dicts of arrays whose leading axis is
the batch; they arrive sharded along the mesh axis 'data'.
"""

from __future__ import annotations

import abc
from collections.abc import Callable

import jax
import jax.numpy as jnp
import ml_collections
from flax import nnx

DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16, "float16": jnp.float16}


def compute_dtype(name: str | None):
  """'bfloat16' -> jnp.bfloat16 (parameters stay float32; None / 'float32' -> None)."""
  if name in (None, "", "float32"):
    return None
  if name not in DTYPES:
    raise ValueError(f"model.dtype must be one of {sorted(DTYPES)}, got {name!r}.")
  return DTYPES[name]


def pixel_loss(pred: jax.Array, target: jax.Array, kind: str,
               mask: jax.Array | None = None) -> jax.Array:
  """Mean L2 ('l2') or L1 ('l1') error in float32, over `mask` if given."""
  err = pred.astype(jnp.float32) - target.astype(jnp.float32)
  if kind == "l2":
    err = err * err
  elif kind == "l1":
    err = jnp.abs(err)
  else:
    raise ValueError(f"loss must be 'l1' or 'l2', got {kind!r}.")
  if mask is None:
    return jnp.mean(err)
  m = mask.astype(jnp.float32)
  return jnp.sum(err * m) / jnp.maximum(jnp.sum(m), 1.0)


class Task(abc.ABC):
  """Base class; subclasses read their options from `config`."""

  def __init__(self, config: ml_collections.ConfigDict):
    self.config = config

  @property
  def best_metric(self) -> tuple[str, str]:
    """(metric name, 'max' or 'min') that selects the best checkpoint."""
    name = self.config.get("best_metric", "loss")
    return name, ("min" if name in ("loss", "rmse") else "max")

  @abc.abstractmethod
  def build_model(self, rngs: nnx.Rngs) -> nnx.Module:
    ...

  @abc.abstractmethod
  def loss(self, model: nnx.Module, batch: dict) -> tuple[jax.Array, dict]:
    ...

  @abc.abstractmethod
  def train_dataset(self, batch_size: int, seed: int, shard_index: int,
                    shard_count: int):
    ...

  @abc.abstractmethod
  def evaluate(self, predict: Callable[..., jax.Array]) -> dict[str, float]:
    ...
