"""`--model` / `--checkpoint` arguments of the CLI: a bundled name, a weights
directory (`params.npz` + `config.json`), or a training workdir."""

from __future__ import annotations

import pathlib

from flax import nnx

from attnup_jax import pretrained


def load_model(spec: str) -> nnx.Module:
  """A model from a bundled name ("sr_x2_attention"), a weights directory, or a
  `python -m train` workdir (its best checkpoint)."""
  if spec in pretrained.available():
    return pretrained.load(spec)
  path = pathlib.Path(spec)
  if (path / "params.npz").is_file():
    return pretrained.load_dir(path)
  if path.is_dir():
    try:
      from train.export import load_workdir_model   # the training program
    except ImportError as e:
      raise ValueError(f"{spec!r} looks like a training workdir but the train "
                       f"package cannot be imported: {e}") from e
    return load_workdir_model(path)
  raise ValueError(
      f"cannot load a model from {spec!r}: not a bundled name "
      f"({', '.join(pretrained.available()) or 'none bundled'}), a weights "
      f"directory with params.npz, or a training workdir.")
