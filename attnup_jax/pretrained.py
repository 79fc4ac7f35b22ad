"""Bundled pretrained weights, loadable by name.

Each model lives in `attnup_jax/weights/<name>/`: `params.npz` (the model's
`nnx.Param` state, flattened with '/'-joined keys, float32), `config.json`
(`spec`: the `ModelSpec` it is built from; how it was trained and its
evaluation at the shipped step) and `train_log.jsonl`.

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

import numpy as np
from flax import nnx

from attnup_jax.models.params import flatten_params, load_params
from attnup_jax.models.spec import ModelSpec

WEIGHTS_DIR = pathlib.Path(__file__).parent / "weights"


def available() -> list[str]:
  """Names of the bundled models."""
  if not WEIGHTS_DIR.is_dir():
    return []
  return sorted(p.name for p in WEIGHTS_DIR.iterdir() if (p / "params.npz").is_file())


def save(model: nnx.Module, directory: str | os.PathLike, config: dict) -> pathlib.Path:
  """Writes `params.npz` and `config.json` (`config` plus the model's spec)."""
  if getattr(model, "spec", None) is None:
    raise ValueError(f"{type(model).__name__} has no spec: build it with "
                     f"attnup_jax.models.build(spec) so the bundle can carry it.")
  directory = pathlib.Path(directory)
  directory.mkdir(parents=True, exist_ok=True)
  np.savez_compressed(directory / "params.npz", **flatten_params(model))
  config = {"spec": model.spec.to_dict(), **config}
  (directory / "config.json").write_text(json.dumps(config, indent=2) + "\n")
  return directory


def read_dir(directory: str | os.PathLike) -> tuple[ModelSpec, dict, dict]:
  """(spec, flat parameters, config) of a weights directory."""
  directory = pathlib.Path(directory)
  for f in ("params.npz", "config.json"):
    if not (directory / f).is_file():
      raise FileNotFoundError(f"{directory / f} is missing: not a weights directory.")
  config = json.loads((directory / "config.json").read_text())
  if "spec" not in config:
    raise ValueError(f"{directory / 'config.json'} has no 'spec' (written before "
                     f"model specs): re-ship it with scripts/ship_weights.py.")
  with np.load(directory / "params.npz") as data:
    flat = {k: data[k] for k in data.files}
  return ModelSpec.from_dict(config["spec"]), flat, config


def load_dir(directory: str | os.PathLike) -> nnx.Module:
  """A model from a directory holding `params.npz` and `config.json`."""
  spec, flat, _ = read_dir(directory)
  return load_params(spec, flat, str(pathlib.Path(directory) / "params.npz"))


def _dir(name: str) -> pathlib.Path:
  if not (WEIGHTS_DIR / name / "params.npz").is_file():
    raise ValueError(f"no bundled weights named {name!r}; available: {available()}.")
  return WEIGHTS_DIR / name


def load(name: str) -> nnx.Module:
  """A bundled model by name, e.g. "sr_x2_attention"."""
  return load_dir(_dir(name))


def config_of(name: str) -> dict:
  """The bundle's config.json."""
  return json.loads((_dir(name) / "config.json").read_text())


def spec_of(name: str) -> ModelSpec:
  """The bundle's model spec."""
  return ModelSpec.from_dict(config_of(name)["spec"])
