"""A trained model out of a work directory: its best (or latest) checkpoint.

    model = load_workdir_model("runs/sr_x2_attention")   # best checkpoint

Used by `attnup evaluate/upscale --checkpoint DIR` and `scripts/ship_weights.py`.
"""

from __future__ import annotations

import json
import os
import pathlib

import jax
import ml_collections
from flax import nnx

from train import checkpoint, sharding
from train import state as state_lib
from train.tasks import get_task


def workdir_config(workdir: str | os.PathLike) -> ml_collections.ConfigDict:
  path = pathlib.Path(workdir) / "config.json"
  if not path.is_file():
    raise FileNotFoundError(f"{path} is missing: {workdir} is not a training workdir.")
  return ml_collections.ConfigDict(json.loads(path.read_text()))


def load_workdir_model(workdir: str | os.PathLike, which: str = "best"
                       ) -> nnx.Module:
  """The model of `workdir` with the parameters of its `which` ("best" or
  "latest") checkpoint, on one device. Sets `model.train_step` and
  `model.train_metrics` (the best checkpoint's evaluation, as sorted
  `(name, value)` pairs) as attributes."""
  config = workdir_config(workdir)
  task = get_task(config)
  mesh = sharding.make_mesh(jax.devices()[:1])
  _, state, shardings = state_lib.create_state(task, config, mesh)
  ckpt = checkpoint.Checkpointer(workdir, int(config.keep_checkpoints),
                                 task.best_metric, async_=False)
  abstract = state_lib.abstract_state(shardings, state)
  restored = (ckpt.restore_best(abstract) if which == "best" else
              ckpt.restore_latest(abstract))
  ckpt.close()
  if restored is None:
    raise FileNotFoundError(f"no {which} checkpoint in {workdir}.")
  if which == "best":
    step, state, metrics = restored
  else:
    step, state, _, meta = restored
    metrics = {"best_so_far": meta.get("best")}
  model = task.build_model(nnx.Rngs(0))
  nnx.update(model, state["params"])
  # A module's non-array attributes are part of its (hashed) graph
  # definition: keep them hashable so nnx.jit accepts the loaded model.
  model.train_step = int(step)
  model.train_metrics = tuple(sorted(dict(metrics).items()))
  return model
