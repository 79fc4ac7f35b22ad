"""Tasks by name; each module is imported only when its task is used."""

from __future__ import annotations

import importlib

from train.tasks.base import Task

_TASKS = {"sr": ("train.tasks.sr", "SuperResolutionTask"),
          "toy": ("train.tasks.toy", "ToyTask"),
          "depth": ("train.tasks.depth", "DepthTask")}


def get_task(config) -> Task:
  if config.task not in _TASKS:
    raise ValueError(f"unknown task {config.task!r}; choose from {sorted(_TASKS)}.")
  module, name = _TASKS[config.task]
  return getattr(importlib.import_module(module), name)(config)


__all__ = ["Task", "get_task"]
