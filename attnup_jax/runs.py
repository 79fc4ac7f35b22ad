"""A `python -m train` work directory as a model source (no train/ import).

    run/spec.json                     the run's ModelSpec (written by training)
    run/config.json                   the train config (runs from before spec.json:
                                      its `model` section gives the spec)
    run/best/<step>/state/            the best evaluation's train state (orbax)
    run/checkpoints/<step>/state/     the latest saves

Only the `params` subtree of the train state is read (orbax partial restore:
no optimiser moments), onto one local device, so a run written on 8 devices
loads on a laptop:

    model = load_run("runs/x2")             # best checkpoint
    model = load_run("runs/x2", step=600)   # checkpoints/600 (or best/600)
"""

from __future__ import annotations

import json
import os
import pathlib

import jax
import numpy as np
from flax import nnx

from attnup_jax.models.params import load_params
from attnup_jax.models.presets import spec_from_config
from attnup_jax.models.spec import ModelSpec

SPEC_FILE = "spec.json"


def is_run(path: str | os.PathLike) -> bool:
  path = pathlib.Path(path)
  return (path / "config.json").is_file() and (
      (path / "best").is_dir() or (path / "checkpoints").is_dir())


def run_spec(workdir: str | os.PathLike) -> ModelSpec:
  """The run's spec: spec.json, else its config.json's `model` section."""
  workdir = pathlib.Path(workdir)
  if (workdir / SPEC_FILE).is_file():
    return ModelSpec.from_json((workdir / SPEC_FILE).read_text())
  path = workdir / "config.json"
  if not path.is_file():
    raise FileNotFoundError(f"{path} is missing: {workdir} is not a training workdir.")
  return spec_from_config(json.loads(path.read_text())["model"])


def _steps(directory: pathlib.Path) -> list[int]:
  if not directory.is_dir():
    return []
  return sorted(int(p.name) for p in directory.iterdir()
                if p.is_dir() and p.name.isdigit())


def step_dir(workdir: str | os.PathLike, step: int | None = None) -> pathlib.Path:
  """`best/<step>` (the best checkpoint: training saves there only on an
  improvement, so the newest is the best) or, for a given step,
  `checkpoints/<step>` (or `best/<step>`)."""
  workdir = pathlib.Path(workdir)
  best, latest = _steps(workdir / "best"), _steps(workdir / "checkpoints")
  if step is None:
    if not best:
      raise FileNotFoundError(f"no best checkpoint in {workdir / 'best'}.")
    return workdir / "best" / str(best[-1])
  for sub, steps in (("checkpoints", latest), ("best", best)):
    if step in steps:
      return workdir / sub / str(step)
  raise ValueError(f"step {step} is not in {workdir}; saved steps: "
                   f"{sorted(set(latest) | set(best))}.")


def _key(path) -> str:
  keys = [str(getattr(k, "key", getattr(k, "idx", k))) for k in path]
  return "/".join(keys[:-1] if keys and keys[-1] == "value" else keys)


def read_run_params(workdir: str | os.PathLike, step: int | None = None
                    ) -> tuple[dict[str, np.ndarray], int, dict]:
  """(flat parameters, step, evaluation metrics) of a run's checkpoint."""
  import orbax.checkpoint as ocp   # pylint: disable=g-import-not-at-top (slow import)
  # Absolute: orbax reads no item metadata from a relative path (0.12.8).
  directory = step_dir(pathlib.Path(workdir).resolve(), step)
  item = directory / "state"
  checkpointer = ocp.PyTreeCheckpointer()
  tree = checkpointer.metadata(item)
  tree = getattr(getattr(tree, "item_metadata", tree), "tree", tree)
  device = jax.sharding.SingleDeviceSharding(jax.local_devices()[0])
  target = {"params": jax.tree.map(
      lambda m: jax.ShapeDtypeStruct(tuple(m.shape), m.dtype, sharding=device),
      tree["params"])}
  restored = checkpointer.restore(item, args=ocp.args.PyTreeRestore(
      item=target, restore_args=ocp.checkpoint_utils.construct_restore_args(target),
      partial_restore=True))
  flat = {_key(p): np.asarray(leaf) for p, leaf in
          jax.tree_util.tree_leaves_with_path(restored["params"])}
  meta = (ocp.Checkpointer(ocp.JsonCheckpointHandler()).restore(directory / "meta")
          if (directory / "meta").is_dir() else {})
  return flat, int(directory.name), dict(meta.get("metrics", {}))


def load_run(workdir: str | os.PathLike, step: int | None = None) -> nnx.Module:
  """The run's model with its best (or step `step`) parameters. Sets
  `model.train_step` and `model.train_metrics` (that checkpoint's evaluation
  as sorted `(name, value)` pairs; empty for a latest-only step)."""
  spec = run_spec(workdir)
  flat, s, metrics = read_run_params(workdir, step)
  model = load_params(spec, flat, f"{workdir} step {s}")
  # A module's non-array attributes are part of its (hashed) graph
  # definition: keep them hashable so nnx.jit accepts the loaded model.
  model.train_step = s
  model.train_metrics = tuple(sorted(metrics.items()))
  return model
