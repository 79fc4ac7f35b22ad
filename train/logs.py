"""Metric logging: JSON lines and TensorBoard event files, from process 0 only.

    <workdir>/metrics.jsonl    one {"step": n, "split": "train"|"eval", ...} per line
    <workdir>/tensorboard/     tensorboardX events, tags "<split>/<name>"
"""

from __future__ import annotations

import json
import math
import os
import pathlib

import jax


class MetricWriter:
  """Appends metrics; every method is a no-op on processes other than 0."""

  def __init__(self, workdir: str | os.PathLike, enabled: bool | None = None):
    self.enabled = jax.process_index() == 0 if enabled is None else enabled
    self._tb = None
    if not self.enabled:
      return
    workdir = pathlib.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    self._jsonl = open(workdir / "metrics.jsonl", "a", encoding="utf-8")
    from tensorboardX import SummaryWriter  # pylint: disable=g-import-not-at-top
    self._tb = SummaryWriter(str(workdir / "tensorboard"))

  def write(self, step: int, split: str, metrics: dict) -> None:
    if not self.enabled:
      return
    values = {k: float(v) for k, v in metrics.items()}
    record = {"step": int(step), "split": split,
              **{k: (v if math.isfinite(v) else str(v)) for k, v in values.items()}}
    self._jsonl.write(json.dumps(record) + "\n")
    self._jsonl.flush()
    for k, v in values.items():
      self._tb.add_scalar(f"{split}/{k}", v, int(step))

  def text(self, tag: str, text: str) -> None:
    if self.enabled:
      self._tb.add_text(tag, text, 0)

  def close(self) -> None:
    if self.enabled:
      self._jsonl.close()
      self._tb.close()


def read_metrics(workdir: str | os.PathLike, split: str | None = None) -> list[dict]:
  """The records of `metrics.jsonl` (optionally of one split), in order."""
  path = pathlib.Path(workdir) / "metrics.jsonl"
  if not path.exists():
    return []
  rows = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
  return [r for r in rows if split is None or r["split"] == split]
