"""The peer watchdog of multi-process runs, against a fake key-value store
(the real one is exercised by tests/train/test_train_multiprocess.py)."""

import threading
import time

import pytest

from train import liveness


class FakeStore:
  """The two key-value calls the watchdog makes; `peer` is what process 1 shows."""

  def __init__(self, peer):
    self.peer, self.values = peer, {}

  def key_value_set(self, key, value, allow_overwrite=False):
    assert allow_overwrite
    self.values[key] = value

  def key_value_try_get(self, key):
    value = self.peer() if callable(self.peer) else self.peer
    if isinstance(value, Exception):
      raise value
    return value


def _watch(monkeypatch, store, seconds=1.0):
  """Run a 2-process watchdog (as process 0) for up to `seconds`; its abort reason or None."""
  died = threading.Event()
  reasons = []
  monkeypatch.setattr(liveness, "_client", lambda: store)
  monkeypatch.setattr(liveness, "abort",
                      lambda workdir, why: (reasons.append(why), died.set()))
  dog = liveness.PeerWatchdog("/nonexistent", timeout=0.3, interval=0.02)
  dog.me, dog.n = 0, 2
  dog.start()
  died.wait(seconds)
  dog.stop()
  return reasons[0] if reasons else None


def test_silent_peer_is_reported(monkeypatch):
  t0 = time.monotonic()
  why = _watch(monkeypatch, FakeStore("7"))   # its counter never moves
  assert why == "process 1 of 2 has not answered for 0.3 s (killed, crashed or hung)"
  assert time.monotonic() - t0 < 1.0


def test_live_and_finished_peers_are_not(monkeypatch):
  beats = iter(range(10**6))
  assert _watch(monkeypatch, FakeStore(lambda: str(next(beats))), 0.6) is None
  assert _watch(monkeypatch, FakeStore("done"), 0.6) is None


@pytest.mark.parametrize("error,expect", [
    (RuntimeError("UNAVAILABLE: failed to connect"), "coordination service"),
    (RuntimeError("NOT_FOUND: key"), "has not answered")])   # never started
def test_store_errors(monkeypatch, error, expect):
  assert expect in _watch(monkeypatch, FakeStore(error))


def test_last_checkpoint_named(tmp_path):
  assert liveness._last_checkpoint(tmp_path) == f"none yet in {tmp_path / 'checkpoints'}"
  for s in ("4", "2", "6.orbax-checkpoint-tmp-1"):
    (tmp_path / "checkpoints" / s).mkdir(parents=True)
  assert liveness._last_checkpoint(tmp_path) == f"step 4 in {tmp_path / 'checkpoints'}"
