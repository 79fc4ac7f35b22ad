"""Ctrl-C during training: the first SIGINT asks for a checkpoint and a stop,
the second exits at once.

    stop = interrupt.StopRequest().install()
    try:
      while ...:
        ...one step...
        if stop.agreed(step, every):   # every process stops at the same step
          save; raise interrupt.Interrupted(step, where)
    finally:
      stop.uninstall()

On one process `agreed` is true at the first step after the signal. On
several it is decided every `every` steps by an all-gather of the flags
(one small host collective there, none in between), so all processes save
the same step, even if only some of them received the signal. The second
SIGINT calls `os._exit(130)`: an unfinished save is orbax's temporary
directory, never taken for a checkpoint.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

import jax
import numpy as np
from jax.experimental import multihost_utils

EXIT_STATUS = 130  # 128 + SIGINT, what shells report for Ctrl-C


class Interrupted(Exception):
  """Training stopped on request after saving `step` in `path`."""

  def __init__(self, step: int, path):
    super().__init__(f"interrupted: checkpoint of step {step} saved in {path}; "
                     f"run the same command to resume.")
    self.step, self.path = step, path


class StopRequest:
  """A SIGINT handler between `install()` and `uninstall()` (main thread only)."""

  def __init__(self):
    self.requested = False
    self._previous = None

  def install(self) -> "StopRequest":
    if threading.current_thread() is threading.main_thread():
      self._previous = signal.signal(signal.SIGINT, self._handle)
    return self

  def uninstall(self) -> None:
    if self._previous is not None:
      signal.signal(signal.SIGINT, self._previous)
      self._previous = None

  def _handle(self, signum, frame) -> None:
    del signum, frame
    if self.requested:
      print("\nsecond interrupt: exiting now, without saving.", file=sys.stderr,
            flush=True)
      os._exit(EXIT_STATUS)  # pylint: disable=protected-access
    self.requested = True
    print("\ninterrupt: saving a checkpoint after this step, then stopping "
          "(Ctrl-C again to exit at once).", file=sys.stderr, flush=True)

  def agreed(self, step: int, every: int) -> bool:
    """Whether every process stops after `step` (the same answer on all)."""
    if jax.process_count() == 1:
      return self.requested
    if step % max(int(every), 1):
      return False
    flags = multihost_utils.process_allgather(np.int32(self.requested))
    return bool(np.any(flags))
