"""`training_curves`: metrics from JSONL logs (one JSON object per line)."""

from __future__ import annotations

import json
import math
import os
import pathlib
from collections.abc import Sequence

import numpy as np

from attnup_jax.viz._figure import new_figure, save_figure


def read_jsonl(path: str | os.PathLike) -> list[dict]:
  """The records of a JSONL metrics log; blank lines are skipped, a corrupt
  line raises ValueError naming the file and line."""
  records = []
  with open(path) as f:
    for n, line in enumerate(f, 1):
      if line.strip():
        try:
          records.append(json.loads(line))
        except json.JSONDecodeError as e:
          raise ValueError(f"{path}:{n}: not a JSON object: {e}") from None
  return records


def _series(records, key):
  pts = [(r["step"], r[key]) for r in records
         if "step" in r and isinstance(r.get(key), (int, float))
         and math.isfinite(r[key])]
  return np.array(pts, np.float64).reshape(-1, 2)


def training_curves(logs: str | os.PathLike | Sequence[str | os.PathLike],
                    keys: Sequence[str] = ("loss", "psnr"), *,
                    labels: Sequence[str] | None = None,
                    log_scale: Sequence[str] = ("loss",),
                    panel_size: float = 3.5,
                    path: str | os.PathLike | None = None, dpi: int = 100):
  """One panel per metric key, one line per log, against `step`.

  A log is a JSONL file of records like `{"step": 100, "loss": 0.01}`; records
  may hold any subset of the keys (train and eval records interleave), and
  records without `step` or with a non-numeric value are skipped.

  Args:
    logs: a JSONL path or a list of them (e.g. attention vs deconvolution).
    keys: metric names, one panel each.
    labels: legend entries (default: each file's parent directory name, or
      its stem when that is not unique).
    log_scale: keys drawn on a logarithmic y axis.

  Returns:
    The `Figure`, with `len(keys)` axes.

  Example:
    >>> fig = training_curves("runs/sr_x2_attention/metrics.jsonl")  # doctest: +SKIP
  """
  paths = [logs] if isinstance(logs, (str, os.PathLike)) else list(logs)
  if not paths or not keys:
    raise ValueError("`logs` and `keys` must be non-empty.")
  if labels is None:
    parents = [pathlib.Path(p).parent.name for p in paths]
    labels = parents if len(set(parents)) == len(paths) else [
        pathlib.Path(p).stem for p in paths]
  records = [read_jsonl(p) for p in paths]
  fig, axes = new_figure(1, len(keys), panel_size)
  for ax, key in zip(axes[0], keys):
    for label, recs in zip(labels, records):
      pts = _series(recs, key)
      if len(pts):
        ax.plot(pts[:, 0], pts[:, 1], label=label, marker="." if len(pts) < 30 else None)
    if key in log_scale:
      ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_title(key)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0] and len(paths) > 1:
      ax.legend(fontsize=8)
  return save_figure(fig, path, dpi)
