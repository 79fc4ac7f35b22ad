"""Several processes: when one dies, the others stop with a message, soon.

A killed process makes the others' next collective fail (gloo: "Connection
closed by peer") or wait. Either way JAX's exit handler then waits for the
dead process at the shutdown barrier until the coordination service misses
its heartbeats (100 s by default) and aborts with a C++ stack trace. Here:

  * `abort(workdir, why)` prints one error naming the cause and the
    checkpoint to resume from and ends the process with `os._exit` (no
    shutdown barrier): the entry point calls it on any error of a
    multi-process run;
  * `PeerWatchdog`, for collectives that wait instead of failing, is a
    daemon thread on every process that, each `interval`
seconds, bumps its own counter in the coordination service's key-value
store and reads the others'. A counter that has not moved for `timeout`
seconds (or a key-value store that no longer answers: process 0, which
hosts it, is gone) ends this process with `os._exit(EXIT_STATUS)` after an
error naming the process and the checkpoint to resume from. The thread runs
while the main thread waits in XLA, so a long step is not taken for a death.
"""

from __future__ import annotations

import os
import pathlib
import sys
import threading
import time

import jax

EXIT_STATUS = 4
_PREFIX = "attnup_alive/"
_DONE = "done"


def _client():
  from jax._src import distributed  # pylint: disable=g-import-not-at-top
  return distributed.global_state.client


def _last_checkpoint(workdir: str | os.PathLike) -> str:
  d = pathlib.Path(workdir) / "checkpoints"
  steps = sorted(int(p.name) for p in d.iterdir() if p.name.isdigit()) if d.is_dir() else []
  return f"step {steps[-1]} in {d}" if steps else f"none yet in {d}"


def abort(workdir: str | os.PathLike, why: str) -> None:
  """Print `why` and how to resume, then end this process at once."""
  print(f"\nERROR: {why}; stopping process {jax.process_index()} of "
        f"{jax.process_count()}. Restart every process with the same command to "
        f"resume from the last checkpoint ({_last_checkpoint(workdir)}).",
        file=sys.stderr, flush=True)
  sys.stdout.flush()
  os._exit(EXIT_STATUS)  # pylint: disable=protected-access


class PeerWatchdog:
  """Start after `jax.distributed.initialize()`; `stop()` before a normal exit."""

  def __init__(self, workdir: str | os.PathLike, timeout: float = 60.0,
               interval: float = 1.0):
    self.workdir, self.timeout, self.interval = workdir, float(timeout), float(interval)
    self.me, self.n = jax.process_index(), jax.process_count()
    self._stop = threading.Event()
    self._thread = threading.Thread(target=self._run, daemon=True, name="peer-watchdog")

  def start(self) -> "PeerWatchdog":
    if self.n > 1:
      self._thread.start()
    return self

  def stop(self) -> None:
    """Tell the others this process ends on purpose, and stop watching."""
    if self.n > 1 and self._thread.is_alive():
      self._stop.set()
      self._thread.join(timeout=5 * self.interval)
      try:
        _client().key_value_set(f"{_PREFIX}{self.me}", _DONE, allow_overwrite=True)
      except Exception:  # pylint: disable=broad-except
        pass

  def _die(self, why: str) -> None:
    if not self._stop.is_set():
      abort(self.workdir, why)

  def _run(self) -> None:
    client, beat = _client(), 0
    seen = {p: (None, time.monotonic()) for p in range(self.n) if p != self.me}
    while not self._stop.wait(self.interval):
      beat += 1
      try:
        client.key_value_set(f"{_PREFIX}{self.me}", str(beat), allow_overwrite=True)
        values = {p: self._try_get(client, p) for p in seen}
      except Exception as e:  # pylint: disable=broad-except
        self._die(f"the coordination service (process 0) stopped answering "
                  f"({type(e).__name__}: {str(e)[:200]})")
        return
      now = time.monotonic()
      for p, value in values.items():
        if value == _DONE:
          seen[p] = (value, float("inf"))
        elif value != seen[p][0]:
          seen[p] = (value, now)
        elif now - seen[p][1] > self.timeout:
          self._die(f"process {p} of {self.n} has not answered for "
                    f"{self.timeout:g} s (killed, crashed or hung)")
          return

  @staticmethod
  def _try_get(client, p: int) -> str | None:
    try:
      return client.key_value_try_get(f"{_PREFIX}{p}")
    except Exception as e:  # pylint: disable=broad-except
      if "NOT_FOUND" in str(e):  # not started yet
        return None
      raise
