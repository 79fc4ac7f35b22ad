"""`load_params`: trained parameters from an orbax checkpoint into a model.

Accepted layouts (the first that applies, from `path` down):

    run/                   a CheckpointManager directory: the latest step
      <step>/              (or `step=`) is used
        params/ | state/ | model/    an item directory (first that exists)
          ...                        written by `StandardSave` / `StandardCheckpointer`

`path` may name any of these levels. Inside the item, the model's `nnx.Param`
tree is found wherever it sits: at the root (`nnx.state(model, nnx.Param)`
saved directly, or the full `nnx.state(model)`), or under a key such as
`params` / `model` of a larger train state (`{'params': ..., 'opt_state': ...,
'step': ...}`). Leaves may carry NNX's `value` wrapper level or not. Every
array is restored onto one local device, so a checkpoint written on 8
devices loads on a laptop.
"""

from __future__ import annotations

import os
import pathlib

import jax
import numpy as np
import orbax.checkpoint as ocp
from flax import nnx

ITEM_NAMES = ("params", "state", "model")


def resolve_item(path: str | os.PathLike, step: int | None = None) -> pathlib.Path:
  """The item directory holding the arrays, following the layout above."""
  path = pathlib.Path(path)
  if not path.is_dir():
    raise FileNotFoundError(f"checkpoint directory {path} does not exist.")
  steps = sorted(int(p.name) for p in path.iterdir()
                 if p.is_dir() and p.name.isdigit())
  if steps:
    if step is not None and step not in steps:
      raise ValueError(f"step {step} is not in {path}; available: {steps}.")
    path = path / str(step if step is not None else steps[-1])
  for name in ITEM_NAMES:
    if (path / name).is_dir():
      return path / name
  return path


def _key(path) -> tuple[str, ...]:
  keys = tuple(str(getattr(k, "key", getattr(k, "idx", k))) for k in path)
  return keys[:-1] if keys and keys[-1] == "value" else keys


def _flat(tree) -> dict[tuple[str, ...], object]:
  return {_key(p): leaf for p, leaf in jax.tree_util.tree_leaves_with_path(tree)}


def _find_prefix(saved: dict, want: dict) -> tuple[str, ...] | None:
  """The shortest key prefix under which `saved` holds every key of `want`
  with the same shape."""
  prefixes = sorted({k[:i] for k in saved for i in range(len(k))}, key=len)
  for pre in prefixes:
    if all(pre + k in saved and tuple(saved[pre + k].shape) == tuple(v.shape)
           for k, v in want.items()):
      return pre
  return None


def _abstract(metadata_tree):
  device = jax.sharding.SingleDeviceSharding(jax.local_devices()[0])
  return jax.tree.map(
      lambda m: jax.ShapeDtypeStruct(tuple(m.shape), m.dtype, sharding=device)
      if hasattr(m, "shape") and hasattr(m, "dtype") else m, metadata_tree)


def load_params(model: nnx.Module, path: str | os.PathLike,
                step: int | None = None) -> nnx.Module:
  """Restores `model`'s `nnx.Param` values in place from an orbax checkpoint.

  Args:
    model: a model of the checkpoint's architecture (values are replaced).
    path: a CheckpointManager directory, a step directory or an item
      directory (see the module docstring for the layouts).
    step: the step of a CheckpointManager directory (default: the latest).

  Returns:
    `model`, for chaining.

  Raises:
    ValueError listing the missing parameters when the checkpoint does not
    hold the model's parameter tree with the same shapes.

  Example:
    >>> model = load_params(build_model("sr_x2_attention", rngs=nnx.Rngs(0)),
    ...                     "runs/sr_x2/checkpoints")    # doctest: +SKIP
  """
  item = resolve_item(path, step)
  checkpointer = ocp.StandardCheckpointer()
  metadata = checkpointer.metadata(item)
  tree = getattr(getattr(metadata, "item_metadata", metadata), "tree", None)
  if tree is None:
    tree = getattr(metadata, "item_metadata", metadata)
  saved = _flat(checkpointer.restore(item, _abstract(tree)))
  state = nnx.state(model, nnx.Param)
  want = _flat(nnx.to_pure_dict(state))
  prefix = _find_prefix(saved, want)
  if prefix is None:
    near = sorted("/".join(k) for k in saved)[:8]
    missing = sorted("/".join(k) for k in want if not any(
        s[-len(k):] == k for s in saved))[:8]
    raise ValueError(
        f"checkpoint {item} does not hold this model's parameters: e.g. missing "
        f"{missing} (with the shapes of the model); it holds {near} ... "
        f"({len(saved)} arrays). Check the model name and its options.")
  values = {k: saved[prefix + k] for k in want}
  pure = jax.tree_util.tree_map_with_path(
      lambda p, leaf: np.asarray(values[_key(p)]).astype(leaf.dtype),
      nnx.to_pure_dict(state))
  nnx.replace_by_pure_dict(state, pure)
  nnx.update(model, state)
  return model
