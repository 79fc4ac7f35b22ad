"""`--model` / `--checkpoint` arguments of the CLI: a bundled name, a weights
directory (`params.npz` + `config.json`), or a training workdir."""

from __future__ import annotations

import pathlib

from flax import nnx

from attnup_jax import pretrained, runs


def load_model(source: str, step: int | None = None) -> nnx.Module:
  """A model from a bundled name ("sr_x2_attention"), a weights directory, or a
  `python -m train` workdir (its best checkpoint, or `step`)."""
  source = str(source)
  path = pathlib.Path(source)
  if step is None and source in pretrained.available():
    return pretrained.load(source)
  if step is None and (path / "params.npz").is_file():
    return pretrained.load_dir(path)
  if runs.is_run(path):
    return runs.load_run(path, step)
  raise ValueError(
      f"cannot load a model from {source!r}: not a bundled name "
      f"({', '.join(pretrained.available()) or 'none bundled'}), a weights "
      f"directory with params.npz, or a training workdir (config.json and "
      f"best/ or checkpoints/).")
