"""Parameters into a model: the one loader every source goes through.

A model's parameters are held as a flat dict `{'head/kernel': array, ...}`
(its `nnx.Param` state, '/'-joined paths) together with the `ModelSpec` they
were trained for. Bundles store that dict in `params.npz`, training runs in
the `params` subtree of their orbax train state (`attnup_jax.runs`); both
come here:

    model = load_params(spec, flat, source="runs/x2")   # checks, then fills
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from attnup_jax.models.spec import ModelSpec, abstract_model, build


def _key(path) -> str:
  return "/".join(str(getattr(k, "key", getattr(k, "idx", k))) for k in path)


def flatten_params(model: nnx.Module) -> dict[str, np.ndarray]:
  """`{'head/kernel': array, ...}` of the model's `nnx.Param` state."""
  state = nnx.to_pure_dict(nnx.state(model, nnx.Param))
  return {_key(path): np.asarray(leaf)
          for path, leaf in jax.tree_util.tree_leaves_with_path(state)}


def _param_shapes(model: nnx.Module) -> dict[str, tuple[int, ...]]:
  state = nnx.to_pure_dict(nnx.state(model, nnx.Param))
  return {_key(p): tuple(leaf.shape)
          for p, leaf in jax.tree_util.tree_leaves_with_path(state)}


def assign_params(model: nnx.Module, flat: dict, *, spec: ModelSpec | None = None,
                  source: str = "") -> nnx.Module:
  """Loads `flat` into `model` in place and returns it.

  `spec` is what the parameters were trained for: it must equal `model.spec`
  (when the model has one), and names and shapes must match exactly; else a
  ValueError saying what differs.
  """
  where = source or "the parameters"
  have = getattr(model, "spec", None)
  if spec is not None and have is not None and spec != have:
    raise ValueError(f"{where} were saved for another model: "
                     f"{'; '.join(spec.diff(have))} (saved != this model).")
  want = _param_shapes(model)
  missing, extra = sorted(set(want) - set(flat)), sorted(set(flat) - set(want))
  bad = sorted(k for k in set(want) & set(flat)
               if tuple(np.shape(flat[k])) != want[k])
  if missing or extra or bad:
    raise ValueError(
        f"{where} do not fit the model: missing {missing[:5]}, unexpected "
        f"{extra[:5]}, wrong shapes "
        f"{[(k, tuple(np.shape(flat[k])), want[k]) for k in bad[:5]]}.")
  state = nnx.state(model, nnx.Param)
  loaded = jax.tree_util.tree_map_with_path(
      lambda path, leaf: jnp.asarray(flat[_key(path)], leaf.dtype),
      nnx.to_pure_dict(state))
  nnx.replace_by_pure_dict(state, loaded)
  nnx.update(model, state)
  return model


def load_params(spec: ModelSpec, flat: dict, source: str = "") -> nnx.Module:
  """The model of `spec` holding the parameters `flat` (as `flatten_params`).

  The model is built abstractly (no initialiser runs) when all its state is
  parameters, which is the case for every family of `spec.FAMILIES`.
  """
  model = abstract_model(spec)
  if jax.tree.leaves(nnx.state(model, nnx.Not(nnx.Param))):
    model = build(spec)
  return assign_params(model, flat, spec=spec, source=source)
