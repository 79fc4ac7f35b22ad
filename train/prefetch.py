"""Overlap input with compute: a background thread that reads and places batches.

The thread pulls the next host batch from a grain iterator, records the
iterator's `get_state()` right after it (the state *after* that batch), and
places the batch on the mesh (`sharding.global_batch`). The loop receives
`(batch, data_state)`; checkpointing the `data_state` of the last consumed
batch makes a resumed run continue with exactly the next batch, no matter
how far the thread had read ahead.
"""

from __future__ import annotations

import queue
import threading

from jax.sharding import Mesh

from train import sharding

_END = object()


class DevicePrefetcher:
  """Iterator of `(global batch, data_state)`, `size` batches ahead (0: none)."""

  def __init__(self, iterator, mesh: Mesh, size: int = 2):
    self._it, self._mesh, self._size = iterator, mesh, int(size)
    if self._size > 0:
      self._queue: queue.Queue = queue.Queue(maxsize=self._size)
      self._stop = threading.Event()
      self._thread = threading.Thread(target=self._work, daemon=True,
                                      name="device-prefetch")
      self._thread.start()

  def _produce(self):
    host = next(self._it)
    state = self._it.get_state()
    return sharding.global_batch(host, self._mesh), state

  def _work(self) -> None:
    try:
      while not self._stop.is_set():
        item = self._produce()
        while not self._stop.is_set():
          try:
            self._queue.put(item, timeout=0.1)
            break
          except queue.Full:
            continue
    except BaseException as e:  # pylint: disable=broad-except
      self._queue.put((_END, e))

  def __iter__(self):
    return self

  def __next__(self):
    if self._size <= 0:
      return self._produce()
    item = self._queue.get()
    if item[0] is _END:
      if isinstance(item[1], StopIteration):
        raise StopIteration
      raise item[1]
    return item

  def close(self) -> None:
    if self._size > 0:
      self._stop.set()
      self._thread.join(timeout=5)
