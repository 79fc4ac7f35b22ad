"""Bundled pretrained weights, loadable by name.

Each model lives in `attnup_jax/weights/<name>/`: `params.npz` (the model's
`nnx.Param` state, flattened with '/'-joined keys), `config.json` (the
constructor arguments and how it was trained) and `train_log.jsonl`.

Example:
  >>> from attnup_jax import pretrained
  >>> pretrained.available()                       # doctest: +SKIP
  ['sr_x2_attention', 'sr_x2_deconv', ...]
  >>> model = pretrained.load("sr_x2_attention")   # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

WEIGHTS_DIR = pathlib.Path(__file__).parent / "weights"


def available() -> list[str]:
  """Names of the bundled models."""
  if not WEIGHTS_DIR.is_dir():
    return []
  return sorted(p.name for p in WEIGHTS_DIR.iterdir() if (p / "params.npz").is_file())


def flatten_params(model: nnx.Module) -> dict[str, np.ndarray]:
  """`{'head/kernel': array, ...}` of the model's `nnx.Param` state."""
  state = nnx.to_pure_dict(nnx.state(model, nnx.Param))
  return {_key(path): np.asarray(leaf)
          for path, leaf in jax.tree_util.tree_leaves_with_path(state)}


def _key(path) -> str:
  return "/".join(str(getattr(k, "key", getattr(k, "idx", k))) for k in path)


def assign_params(model: nnx.Module, flat: dict[str, np.ndarray], source="") -> nnx.Module:
  """Loads `flat` (as from `flatten_params`) into `model` in place; names and
  shapes must match exactly, else ValueError listing the differences."""
  want = flatten_params(model)
  missing, extra = sorted(set(want) - set(flat)), sorted(set(flat) - set(want))
  bad = sorted(k for k in set(want) & set(flat) if want[k].shape != flat[k].shape)
  if missing or extra or bad:
    raise ValueError(
        f"parameters in {source or 'the file'} do not fit the model: missing "
        f"{missing[:5]}, unexpected {extra[:5]}, wrong shapes "
        f"{[(k, flat[k].shape, want[k].shape) for k in bad[:5]]}.")
  state = nnx.state(model, nnx.Param)
  loaded = jax.tree_util.tree_map_with_path(
      lambda path, leaf: jnp.asarray(flat[_key(path)], leaf.dtype),
      nnx.to_pure_dict(state))
  nnx.replace_by_pure_dict(state, loaded)
  nnx.update(model, state)
  return model


def save(model: nnx.Module, directory: str | os.PathLike, config: dict) -> pathlib.Path:
  """Writes `params.npz` and `config.json` (config must hold 'model' kwargs)."""
  directory = pathlib.Path(directory)
  directory.mkdir(parents=True, exist_ok=True)
  np.savez_compressed(directory / "params.npz", **flatten_params(model))
  (directory / "config.json").write_text(json.dumps(config, indent=2) + "\n")
  return directory


def build(config: dict, *, rngs: nnx.Rngs | None = None) -> nnx.Module:
  """The (randomly initialised) model a config.json describes."""
  rngs = rngs or nnx.Rngs(0)
  kind, kwargs = config["model"]["kind"], dict(config["model"]["kwargs"])
  if kind == "sr":
    from attnup_jax.models.sr import SuperResolutionNet
    return SuperResolutionNet(**kwargs, rngs=rngs)
  if kind == "depth":
    from attnup_jax.models.depth_zoo import build_depth_model
    return build_depth_model(**kwargs, rngs=rngs)
  raise ValueError(f"unknown model kind {kind!r} in config.")


def load_dir(directory: str | os.PathLike) -> nnx.Module:
  """A model from a directory holding `params.npz` and `config.json`."""
  directory = pathlib.Path(directory)
  for f in ("params.npz", "config.json"):
    if not (directory / f).is_file():
      raise FileNotFoundError(f"{directory / f} is missing: not a weights directory.")
  config = json.loads((directory / "config.json").read_text())
  model = build(config)
  with np.load(directory / "params.npz") as data:
    flat = {k: data[k] for k in data.files}
  return assign_params(model, flat, str(directory / "params.npz"))


def load(name: str) -> nnx.Module:
  """A bundled model by name, e.g. "sr_x2_attention"."""
  if not (WEIGHTS_DIR / name / "params.npz").is_file():
    raise ValueError(f"no bundled weights named {name!r}; available: {available()}.")
  return load_dir(WEIGHTS_DIR / name)


def config_of(name: str) -> dict:
  return json.loads((WEIGHTS_DIR / name / "config.json").read_text())
