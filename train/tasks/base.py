"""The Task interface: what differs between experiments, and nothing else.

The training loop (`train/loop.py`) is shared; a task supplies

  model_spec()                 -> the `ModelSpec` of `config.model`
                                  (`attnup_jax.models.presets.spec_from_config`)
  build_model(rngs)            -> nnx.Module, `models.build(self.model_spec())`
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
import ml_collections
from flax import nnx

from attnup_jax.metrics import pixel_loss  # noqa: F401 (tasks' loss)
from attnup_jax.models import ModelSpec, build, spec_from_config

class Task(abc.ABC):
  """Base class; subclasses read their options from `config`."""

  def __init__(self, config: ml_collections.ConfigDict):
    self.config = config

  @property
  def best_metric(self) -> tuple[str, str]:
    """(metric name, 'max' or 'min') that selects the best checkpoint."""
    name = self.config.get("best_metric", "loss")
    return name, ("min" if name in ("loss", "rmse") else "max")

  def model_spec(self) -> ModelSpec | None:
    """What the model is (written to the workdir as spec.json); None for a
    model outside `attnup_jax.models.FAMILIES`."""
    return spec_from_config(self.config.model)

  def build_model(self, rngs: nnx.Rngs) -> nnx.Module:
    return build(self.model_spec(), rngs)

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
